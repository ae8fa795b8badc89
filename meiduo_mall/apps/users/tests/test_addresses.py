import pytest

from meiduo_mall.apps.users.address_services import ADDRESS_LIMIT
from meiduo_mall.apps.users.models import Address
from tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

# 河北省 → 石家庄市 → 长安区, and 广东省 → 广州市 → 天河区 (real codes from the area table)
HEBEI = {"province_id": 130000, "city_id": 130100, "district_id": 130102}
GUANGZHOU = {"province_id": 440000, "city_id": 440100, "district_id": 440106}


def new_address(**overrides):
    return {
        "receiver": "李四",
        "title": "李四",
        **HEBEI,
        "place": "中山东路1号",
        "mobile": "13912345678",
        "tel": "",
        "email": "",
        **overrides,
    }


@pytest.fixture
def book(areas, auth_client):
    return auth_client


def test_create_list_and_first_becomes_default(book, user):
    response = book.post("/addresses/", new_address(tel="010-12345678", email="li@meiduo.site"), format="json")
    assert response.status_code == 201
    created = response.json()
    assert created == {
        "id": created["id"],
        "title": "李四",
        "receiver": "李四",
        "province": "河北省",
        "city": "石家庄市",
        "district": "长安区",
        "province_id": 130000,
        "city_id": 130100,
        "district_id": 130102,
        "place": "中山东路1号",
        "mobile": "13912345678",
        "tel": "010-12345678",
        "email": "li@meiduo.site",
    }
    second = book.post("/addresses/", new_address(receiver="王五", title=None, **GUANGZHOU), format="json").json()
    assert second["title"] == "王五"

    listing = book.get("/addresses/").json()
    assert listing["user_id"] == user.id
    assert listing["limit"] == 20
    assert listing["default_address_id"] == created["id"]
    assert [a["id"] for a in listing["addresses"]] == [second["id"], created["id"]]


@pytest.mark.parametrize(
    "overrides",
    [
        {"mobile": "12345678901"},
        {"mobile": "1391234567"},
        {"tel": "call me"},
        {"email": "not-an-email"},
        {"receiver": ""},
        {"receiver": "名" * 21},
        {"place": "路" * 51},
        {"province_id": 999999},
        {"province_id": 130100},  # a city is not a province
        {"city_id": 440100},  # Guangzhou is not in Hebei
        {"district_id": 440106},  # nor is Tianhe in Shijiazhuang
        {"district_id": 130100},
        {"province_id": "abc"},
        {"city_id": 10**30},
        {"district_id": None},
    ],
)
def test_bad_address_is_400_and_saves_nothing(book, overrides):
    response = book.post("/addresses/", new_address(**overrides), format="json")
    assert response.status_code == 400
    assert response.json()["message"]
    assert not Address.objects.exists()


def test_missing_fields_are_400(book):
    response = book.post("/addresses/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["message"]


def test_at_most_twenty_live_addresses(book, user):
    AddressFactory.create_batch(ADDRESS_LIMIT - 1, user=user)
    AddressFactory(user=user, is_deleted=True)
    assert book.post("/addresses/", new_address(), format="json").status_code == 201
    response = book.post("/addresses/", new_address(), format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "保存地址数据已达到上限"
    assert Address.objects.filter(user=user, is_deleted=False).count() == ADDRESS_LIMIT


def test_edit_ignores_read_only_fields(book, user, other_user):
    address = book.post("/addresses/", new_address(), format="json").json()
    edited = {
        **address,
        **GUANGZHOU,
        "receiver": "赵六",
        "title": "赵六",
        "id": 999,
        "province": "伪造省",
        "user": other_user.id,
        "is_deleted": True,
    }
    response = book.put(f"/addresses/{address['id']}/", edited, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == address["id"]
    assert (body["province"], body["city"], body["district"]) == ("广东省", "广州市", "天河区")
    stored = Address.objects.get(id=address["id"])
    assert stored.user == user and not stored.is_deleted and stored.receiver == "赵六"

    bad = book.put(f"/addresses/{address['id']}/", {**edited, "city_id": 130100}, format="json")
    assert bad.status_code == 400
    assert Address.objects.get(id=address["id"]).city_id == 440100


def test_delete_is_soft_and_clears_the_default(book, user):
    first = book.post("/addresses/", new_address(), format="json").json()
    second = book.post("/addresses/", new_address(receiver="王五"), format="json").json()
    assert book.put(f"/addresses/{second['id']}/status/", {}, format="json").json() == {"message": "OK"}
    user.refresh_from_db()
    assert user.default_address_id == second["id"]

    assert book.delete(f"/addresses/{second['id']}/").status_code == 204
    assert Address.objects.get(id=second["id"]).is_deleted
    user.refresh_from_db()
    assert user.default_address_id is None
    listing = book.get("/addresses/").json()
    assert [a["id"] for a in listing["addresses"]] == [first["id"]]
    assert listing["default_address_id"] is None
    # A deleted address is gone for every verb.
    assert book.delete(f"/addresses/{second['id']}/").status_code == 404
    assert book.put(f"/addresses/{second['id']}/status/", {}, format="json").status_code == 404


def test_rename_title(book):
    address = book.post("/addresses/", new_address(), format="json").json()
    response = book.put(f"/addresses/{address['id']}/title/", {"title": "公司"}, format="json")
    assert response.status_code == 200 and response.json() == {"title": "公司"}
    for bad in ({}, {"title": ""}, {"title": "长" * 21}):
        assert book.put(f"/addresses/{address['id']}/title/", bad, format="json").status_code == 400
    assert Address.objects.get(id=address["id"]).title == "公司"


def test_other_members_address_is_404_for_every_verb(book, user, other_user):
    theirs = AddressFactory(user=other_user)
    url = f"/addresses/{theirs.id}/"
    mine = new_address()
    assert book.put(url, mine, format="json").status_code == 404
    assert book.delete(url).status_code == 404
    assert book.put(url + "status/", {}, format="json").status_code == 404
    assert book.put(url + "title/", {"title": "偷"}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_deleted and theirs.title == "张三" and theirs.receiver == "张三"
    user.refresh_from_db()
    assert user.default_address_id is None
    assert theirs.id not in [a["id"] for a in book.get("/addresses/").json()["addresses"]]


def test_address_book_needs_login(api_client, areas):
    assert api_client.get("/addresses/").status_code == 401
    assert api_client.post("/addresses/", new_address(), format="json").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="JWT undefined")
    assert api_client.get("/addresses/").status_code == 401
