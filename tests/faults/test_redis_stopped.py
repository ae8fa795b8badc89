"""Redis stopped (connections refused): the catalog, login and the member pages that keep nothing in Redis go on
from the database; what lives in Redis (captcha, SMS codes, the member's cart, browsing history) answers 503 at
once; everything comes back when Redis does, without restarting Django."""

import uuid

import pytest
from django_redis import get_redis_connection

from meiduo_mall.apps.carts.stores import CART_COOKIE_NAME
from meiduo_mall.apps.users.tests.fixtures import jwt_client
from tests.factories import DEFAULT_PASSWORD, AddressFactory, SKUFactory
from tests.faults.redis_server import REFUSAL_BOUND, assert_unavailable, timed, wait_until_redis_answers

pytestmark = pytest.mark.django_db


def catalog_paths(sku, province_id):
    category = sku.category_id
    return [
        f"/categories/{category}/skus/?page=1&page_size=5&ordering=-create_time",
        f"/categories/{category}/skus/?page=1&page_size=5&ordering=price",
        f"/categories/{category}/hotskus/",
        f"/categories/{category}/",
        f"/categories/{sku.goods.category2_id}/",
        "/areas/",
        f"/areas/{province_id}/",
        f"/skus/{sku.id}/comments/",
    ]


def test_the_catalog_answers_the_same_from_the_database(shop_redis, areas, api_client):
    sku = SKUFactory(sales=5)
    SKUFactory(goods=sku.goods, sales=9, price=50)
    paths = catalog_paths(sku, 110000)
    cached = {path: api_client.get(path).content for path in paths}
    assert get_redis_connection("default").dbsize() > 0

    shop_redis.stop()

    for path in paths:
        response = api_client.get(path)
        assert response.status_code == 200, path
        assert response.content == cached[path], path


def test_login_and_the_member_pages_without_redis(shop_redis, user, api_client):
    address = AddressFactory(user=user)
    shop_redis.stop()

    for account in (user.username, user.mobile):
        response = api_client.post(
            "/authorizations/", {"username": account, "password": DEFAULT_PASSWORD}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["user_id"] == user.id
    member = jwt_client(user)
    profile = member.get("/user/")
    assert profile.status_code == 200
    assert profile.json()["username"] == user.username
    assert member.get("/addresses/").json()["addresses"][0]["id"] == address.id
    assert member.put(f"/addresses/{address.id}/status/", format="json").status_code == 200
    assert member.get("/addresses/").json()["default_address_id"] == address.id
    fields = {
        "receiver": "李四",
        "province_id": address.province_id,
        "city_id": address.city_id,
        "district_id": address.district_id,
        "place": "东城区一号",
        "mobile": "13800138000",
    }
    added = member.post("/addresses/", {**fields, "title": "李四"}, format="json")
    assert added.status_code == 201
    edited = member.put(f"/addresses/{added.json()['id']}/", {**fields, "title": "王五"}, format="json")
    assert edited.status_code == 200
    assert member.get("/orders_list/").json()["count"] == 0
    assert api_client.get(f"/usernames/{user.username}/count/").json()["count"] == 1
    assert api_client.get(f"/mobiles/{user.mobile}/count/").json()["count"] == 1


def test_a_revoked_token_stays_revoked_without_redis(shop_redis, user):
    """The password's fingerprint comes from the database when Redis fails, so a revoked token stays revoked."""
    old_token = jwt_client(user)
    assert old_token.get("/user/").status_code == 200
    user.set_password("a-new-password-1")
    user.save(update_fields=["password"])
    shop_redis.stop()

    assert old_token.get("/user/").status_code == 401
    assert jwt_client(user).get("/user/").status_code == 200


def test_changing_the_password_without_redis_is_refused_and_changes_nothing(shop_redis, user):
    """A cached fingerprint the shop cannot drop would let the old tokens work on once Redis is back."""
    member = jwt_client(user)
    assert member.get("/user/").status_code == 200
    shop_redis.stop()

    response, elapsed = timed(
        lambda: member.put(
            f"/users/{user.id}/password/",
            {"old_password": DEFAULT_PASSWORD, "password": "a-new-password-1", "password2": "a-new-password-1"},
            format="json",
        )
    )

    assert_unavailable(response, elapsed)
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_a_guest_cart_works_and_waits_in_its_cookie_through_a_login(shop_redis, settings, user, api_client):
    settings.REDIS_BREAKER_SECONDS = 0.2
    sku = SKUFactory()
    shop_redis.stop()

    assert api_client.post("/cart/", {"sku_id": sku.id, "count": 2}, format="json").status_code == 201
    assert [line["id"] for line in api_client.get("/cart/").json()] == [sku.id]
    login = api_client.post(
        "/authorizations/", {"username": user.username, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert login.status_code == 200
    assert CART_COOKIE_NAME not in login.cookies  # neither rewritten nor dropped: the lines wait for Redis

    shop_redis.start()
    wait_until_redis_answers(api_client)
    login = api_client.post(
        "/authorizations/", {"username": user.username, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert login.cookies[CART_COOKIE_NAME].value == ""
    assert [(line["id"], line["count"]) for line in jwt_client(user).get("/cart/").json()] == [(sku.id, 2)]


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/image_codes/{uuid}/", None),
        ("get", "/sms_codes/13800138000/?text=abcd&image_code_id={uuid}", None),
        ("get", "/cart/", None),
        ("post", "/cart/", {"sku_id": "{sku}", "count": 1}),
        ("get", "/browse_histories/", None),
        ("post", "/browse_histories/", {"sku_id": "{sku}"}),
        ("get", "/orders/settlement/", None),
    ],
)
def test_what_lives_in_redis_answers_503_at_once(shop_redis, user, method, path, body):
    sku = SKUFactory()
    member = jwt_client(user)
    path = path.format(uuid=uuid.uuid4())
    body = body and {key: sku.id if value == "{sku}" else value for key, value in body.items()}
    shop_redis.stop()

    for _ in range(2):  # the first meets the refused connection, the second the open breaker
        response, elapsed = timed(lambda: getattr(member, method)(path, body, format="json"))
        assert_unavailable(response, elapsed)


def test_health_stays_up_and_readiness_reports_redis(shop_redis, api_client):
    shop_redis.stop()

    health, elapsed = timed(lambda: api_client.get("/health/"))
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    ready, elapsed = timed(lambda: api_client.get("/health/ready/"))
    assert ready.status_code == 503
    assert ready.json()["database"] == "ok"
    assert ready.json()["redis"].startswith("error: ")
    assert elapsed < REFUSAL_BOUND


def test_everything_comes_back_when_redis_restarts(shop_redis, settings, user, api_client):
    settings.REDIS_BREAKER_SECONDS = 0.2
    sku = SKUFactory()
    member = jwt_client(user)
    shop_redis.stop()
    assert member.get("/cart/").status_code == 503

    shop_redis.start()
    wait_until_redis_answers(api_client)

    assert member.post("/cart/", {"sku_id": sku.id, "count": 1}, format="json").status_code == 201
    assert [line["id"] for line in member.get("/cart/").json()] == [sku.id]
    assert member.post("/browse_histories/", {"sku_id": sku.id}, format="json").status_code == 201
    assert api_client.get(f"/categories/{sku.category_id}/hotskus/").status_code == 200
    assert get_redis_connection("default").dbsize() > 0  # the catalog is cached again
    assert api_client.get("/health/ready/").json()["redis"] == "ok"
