import pytest
from django_redis import get_redis_connection
from rest_framework.test import APIRequestFactory

from meiduo_mall.apps.users.authentication import JWTAuthentication
from meiduo_mall.apps.users.models import User
from tests.factories import UserFactory

MOBILE = "13712345678"


def sms_code_for(api_client, mobile=MOBILE):
    assert api_client.get(f"/sms_codes/{mobile}/").status_code == 200
    return get_redis_connection("verify_codes").get(f"sms_{mobile}").decode()


def registration(**overrides):
    data = {
        "username": "new_shopper",
        "password": "s3cret-pass",
        "password2": "s3cret-pass",
        "mobile": MOBILE,
        "sms_code": "000000",
        "allow": "true",
    }
    data.update(overrides)
    return data


def authenticated_user(token):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"JWT {token}")
    return JWTAuthentication().authenticate(request)[0]


@pytest.mark.django_db
def test_register_returns_both_ids_and_a_working_token(api_client):
    code = sms_code_for(api_client)

    response = api_client.post("/users/", registration(sms_code=code), format="json")

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get(username="new_shopper")
    assert body["id"] == body["user_id"] == user.id
    assert body["username"] == "new_shopper" and body["mobile"] == MOBILE
    assert authenticated_user(body["token"]) == user
    assert user.check_password("s3cret-pass")


@pytest.mark.django_db
def test_sms_code_is_single_use(api_client):
    code = sms_code_for(api_client)
    api_client.post("/users/", registration(sms_code=code), format="json")

    response = api_client.post("/users/", registration(username="second_one", sms_code=code), format="json")

    assert response.status_code == 400
    assert User.objects.filter(username="second_one").count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"username": "abcd"}, "用户名为5-20个字母、数字、_或-"),
        ({"username": "a" * 21}, "用户名为5-20个字母、数字、_或-"),
        ({"username": "1234567"}, "用户名不能是纯数字"),
        ({"username": "名字名字名字"}, "用户名为5-20个字母、数字、_或-"),
        ({"password": "short1", "password2": "short1"}, "密码最少8位，最长20位"),
        ({"password": "p" * 21, "password2": "p" * 21}, "密码最少8位，最长20位"),
        ({"password2": "other-pass"}, "两次密码不一致"),
        ({"mobile": "12712345678"}, "手机号格式错误"),
        ({"mobile": "1371234567x"}, "手机号格式错误"),
        ({"allow": "false"}, "请同意用户协议"),
        ({"allow": ""}, "请同意用户协议"),
        ({"allow": None}, None),
        ({"sms_code": "12345"}, "短信验证码错误"),
        ({"sms_code": ["123456"]}, None),
        ({"username": None}, None),
    ],
)
def test_bad_registration_is_refused_and_keeps_the_code(api_client, overrides, message):
    code = sms_code_for(api_client)

    response = api_client.post("/users/", registration(**{"sms_code": code, **overrides}), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["non_field_errors"][0]
    if message:
        assert body["non_field_errors"][0] == message
    assert User.objects.count() == 0
    assert get_redis_connection("verify_codes").get(f"sms_{MOBILE}").decode() == code


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["username", "password", "password2", "mobile", "sms_code", "allow"])
def test_every_field_is_required(api_client, missing):
    data = registration(sms_code=sms_code_for(api_client))
    del data[missing]

    response = api_client.post("/users/", data, format="json")

    assert response.status_code == 400
    assert missing in response.json()
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_wrong_sms_code_is_refused(api_client):
    code = sms_code_for(api_client)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    response = api_client.post("/users/", registration(sms_code=wrong), format="json")

    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["短信验证码错误"]
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_sms_code_of_another_mobile_is_invalid(api_client):
    code = sms_code_for(api_client, "13600000000")

    response = api_client.post("/users/", registration(sms_code=code), format="json")

    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["无效的短信验证码"]


@pytest.mark.django_db
def test_duplicate_username_and_mobile_are_refused(api_client):
    UserFactory(username="taken_name", mobile="13700000000")
    code = sms_code_for(api_client, "13700000000")

    response = api_client.post(
        "/users/", registration(username="taken_name", mobile="13700000000", sms_code=code), format="json"
    )

    assert response.status_code == 400
    assert response.json()["username"] == ["用户名已存在"]
    assert response.json()["mobile"] == ["手机号已存在"]
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_stale_token_in_the_header_does_not_block_registering(api_client):
    code = sms_code_for(api_client)
    api_client.credentials(HTTP_AUTHORIZATION="JWT undefined")

    assert api_client.post("/users/", registration(sms_code=code), format="json").status_code == 201


@pytest.mark.django_db
def test_username_and_mobile_counts(api_client):
    UserFactory(username="existing1", mobile="13811112222")

    assert api_client.get("/usernames/existing1/count/").json() == {"username": "existing1", "count": 1}
    assert api_client.get("/usernames/nobody_here/count/").json() == {"username": "nobody_here", "count": 0}
    assert api_client.get("/mobiles/13811112222/count/").json() == {"mobile": "13811112222", "count": 1}
    assert api_client.get("/mobiles/13811113333/count/").json() == {"mobile": "13811113333", "count": 0}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/usernames/abcd/count/", "/usernames/a/b/count/", "/mobiles/12811112222/count/"])
def test_counts_of_malformed_values_are_not_found(api_client, path):
    assert api_client.get(path).status_code == 404


@pytest.mark.django_db
def test_registering_keeps_what_the_guest_put_in_the_cart(api_client, sku):
    assert api_client.post("/cart/", {"sku_id": sku.id, "count": 2}, format="json").status_code == 201
    code = sms_code_for(api_client)

    response = api_client.post("/users/", registration(sms_code=code), format="json")

    assert response.status_code == 201
    assert response.cookies["cart"].value == ""
    cart = get_redis_connection("cart")
    assert cart.hget(f"cart_{response.json()['id']}", sku.id) == b"2"
