"""docs/api.md K1–K5 for guests and members alike: every test runs once per store."""

import pytest
from django_redis import get_redis_connection

from meiduo_mall.apps.carts.stores import MAX_CART_LINES, MAX_LINE_COUNT, CartLine, load_cookie_cart
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db


def cart(client, path="/cart/"):
    response = client.get(path)
    assert response.status_code == 200
    return {line["id"]: (line["count"], line["selected"]) for line in response.json()}


def non_field_error(response):
    assert response.status_code == 400, response.content
    return response.json()["non_field_errors"][0]


def test_empty_cart_is_an_empty_array(shopper):
    response = shopper.get("/cart/")
    assert response.status_code == 200
    assert response.json() == []


def test_post_adds_and_answers_201_with_the_added_count(shopper, skus):
    response = shopper.post("/cart/", {"sku_id": skus[0].id, "count": 2}, format="json")
    assert response.status_code == 201
    assert response.json() == {"sku_id": skus[0].id, "count": 2, "selected": True}
    shopper.post("/cart/", {"sku_id": skus[0].id, "count": 3}, format="json")
    shopper.post("/cart/", {"sku_id": skus[1].id, "count": 1, "selected": False}, format="json")
    assert cart(shopper) == {skus[0].id: (5, True), skus[1].id: (1, False)}


def test_get_lists_sku_fields_in_cart_order(shopper, skus):
    for sku in (skus[2], skus[0]):
        shopper.post("/cart/", {"sku_id": sku.id, "count": 1}, format="json")
    lines = shopper.get("/cart/").json()
    assert [line["id"] for line in lines] == [skus[2].id, skus[0].id]
    assert lines[0] == {
        "id": skus[2].id,
        "name": skus[2].name,
        "price": "30.00",
        "default_image_url": skus[2].default_image_url,
        "count": 1,
        "selected": True,
    }


def test_put_overwrites_count_and_selection(shopper, skus):
    shopper.post("/cart/", {"sku_id": skus[0].id, "count": 4}, format="json")
    response = shopper.put("/cart/", {"sku_id": skus[0].id, "count": 2, "selected": False}, format="json")
    assert response.status_code == 200
    assert response.json() == {"sku_id": skus[0].id, "count": 2, "selected": False}
    assert cart(shopper) == {skus[0].id: (2, False)}
    shopper.put("/cart/", {"sku_id": skus[0].id, "count": 7, "selected": True}, format="json")
    assert cart(shopper) == {skus[0].id: (7, True)}


def test_delete_takes_a_json_body(shopper, skus):
    for sku in skus[:2]:
        shopper.post("/cart/", {"sku_id": sku.id, "count": 1}, format="json")
    response = shopper.delete("/cart/", {"sku_id": skus[0].id}, format="json")
    assert response.status_code == 204
    assert cart(shopper) == {skus[1].id: (1, True)}
    assert shopper.delete("/cart/", {"sku_id": skus[2].id}, format="json").status_code == 204
    assert cart(shopper) == {skus[1].id: (1, True)}


def test_selection_sets_every_line(shopper, skus):
    for sku in skus:
        shopper.post("/cart/", {"sku_id": sku.id, "count": 1, "selected": sku is skus[0]}, format="json")
    response = shopper.put("/cart/selection/", {"selected": True}, format="json")
    assert response.status_code == 200
    assert response.json() == {"message": "OK"}
    assert {selected for _, selected in cart(shopper).values()} == {True}
    shopper.put("/cart/selection/", {"selected": False}, format="json")
    assert {selected for _, selected in cart(shopper).values()} == {False}


def test_carts_alias_reaches_the_same_cart(shopper, skus):
    shopper.post("/cart/", {"sku_id": skus[0].id, "count": 1}, format="json")
    shopper.post("/carts/", {"sku_id": skus[1].id, "count": 2}, format="json")
    shopper.put("/carts/selection/", {"selected": False}, format="json")
    assert cart(shopper, "/carts/") == cart(shopper) == {skus[0].id: (1, False), skus[1].id: (2, False)}


def test_a_deleted_sku_drops_out_of_the_listing(shopper, skus):
    shopper.post("/cart/", {"sku_id": skus[0].id, "count": 1}, format="json")
    shopper.post("/cart/", {"sku_id": skus[1].id, "count": 1}, format="json")
    skus[0].delete()
    assert cart(shopper) == {skus[1].id: (1, True)}


@pytest.mark.parametrize(
    "body, message",
    [
        ({"count": 1}, "缺少商品编号"),
        ({"sku_id": "abc", "count": 1}, "商品不存在"),
        ({"sku_id": 0, "count": 1}, "商品不存在"),
        ({"sku_id": 10**30, "count": 1}, "商品不存在"),
        ({"sku_id": 987654321, "count": 1}, "商品不存在"),
        ({"sku_id": None, "count": 1}, "缺少商品编号"),
    ],
)
def test_unknown_or_malformed_sku_is_refused(shopper, skus, body, message):
    for method in (shopper.post, shopper.put):
        assert message in shopper_errors(method("/cart/", body, format="json"))
    assert cart(shopper) == {}


def shopper_errors(response):
    assert response.status_code == 400, response.content
    return response.json()["non_field_errors"]


@pytest.mark.parametrize("count", [0, -1, 1.5, "two", True, MAX_LINE_COUNT + 1, 10**20, "9" * 2000, None, ""])
def test_count_must_be_an_integer_from_1_to_200(shopper, db, count):
    sku = SKUFactory(stock=1000)
    for method in (shopper.post, shopper.put):
        errors = shopper_errors(method("/cart/", {"sku_id": sku.id, "count": count}, format="json"))
        assert errors[0] in ("商品数量须为1到200之间的整数", "缺少商品数量")
    assert cart(shopper) == {}


def test_unlaunched_sku_cannot_be_added(shopper, db):
    sku = SKUFactory(is_launched=False)
    assert non_field_error(shopper.post("/cart/", {"sku_id": sku.id, "count": 1}, format="json")) == "商品不存在"
    assert cart(shopper) == {}


def test_count_over_stock_is_refused(shopper, db):
    sku = SKUFactory(stock=5)
    assert non_field_error(shopper.post("/cart/", {"sku_id": sku.id, "count": 6}, format="json")) == "商品库存不足"
    assert non_field_error(shopper.put("/cart/", {"sku_id": sku.id, "count": 6}, format="json")) == "商品库存不足"
    assert cart(shopper) == {}


def test_adding_past_stock_leaves_the_line_as_it_was(shopper, db):
    sku = SKUFactory(stock=5)
    shopper.post("/cart/", {"sku_id": sku.id, "count": 3, "selected": False}, format="json")
    response = shopper.post("/cart/", {"sku_id": sku.id, "count": 3}, format="json")
    assert non_field_error(response) == "商品库存不足"
    assert cart(shopper) == {sku.id: (3, False)}


def test_a_line_holds_at_most_200_even_with_more_stock(shopper, db):
    sku = SKUFactory(stock=1000)
    shopper.post("/cart/", {"sku_id": sku.id, "count": 150}, format="json")
    response = shopper.post("/cart/", {"sku_id": sku.id, "count": 51}, format="json")
    assert non_field_error(response) == "每种商品最多购买200件"
    shopper.post("/cart/", {"sku_id": sku.id, "count": 50}, format="json")
    assert cart(shopper) == {sku.id: (200, True)}


def test_at_most_100_distinct_lines(shopper, db):
    skus = SKUFactory.create_batch(MAX_CART_LINES + 1, goods=SKUFactory().goods)
    for sku in skus[:MAX_CART_LINES]:
        assert shopper.post("/cart/", {"sku_id": sku.id, "count": 1}, format="json").status_code == 201
    extra = skus[MAX_CART_LINES]
    for method in (shopper.post, shopper.put):
        assert non_field_error(method("/cart/", {"sku_id": extra.id, "count": 1}, format="json")) == (
            "购物车最多可放100种商品"
        )
    lines = cart(shopper)
    assert len(lines) == MAX_CART_LINES and extra.id not in lines
    # Lines already in the cart still change.
    assert shopper.post("/cart/", {"sku_id": skus[0].id, "count": 1}, format="json").status_code == 201
    assert shopper.put("/cart/", {"sku_id": skus[1].id, "count": 3}, format="json").status_code == 200


@pytest.mark.parametrize(
    "method, path, body",
    [
        *[("put", "/cart/selection/", body) for body in (None, [], "text", {"selected": "maybe"}, {"selected": None})],
        *[("delete", "/cart/", body) for body in (None, {}, {"sku_id": "x"}, {"sku_id": -3}, ["sku_id"])],
    ],
)
def test_bad_selection_or_delete_body_is_refused(shopper, skus, method, path, body):
    shopper.post("/cart/", {"sku_id": skus[0].id, "count": 1}, format="json")
    response = getattr(shopper, method)(path, body, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert cart(shopper) == {skus[0].id: (1, True)}


def test_malformed_json_is_a_400(shopper):
    response = shopper.generic("POST", "/cart/", "{not json", content_type="application/json")
    assert response.status_code == 400


def member_cart_keys():
    """The cart database also caches SKU facts (cart_sku_<id>); a member's cart is cart_<uid> + cart_selected_<uid>."""
    return [key for key in get_redis_connection("cart").keys("cart_*") if not key.startswith(b"cart_sku_")]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "JWT undefined",
        "JWT",
        "JWT a b",
        "JWT not.a.token",
        "Bearer undefined",
        "Basic dXNlcjpwYXNz",
        "JWT " + "x" * 5000,
    ],
)
def test_a_missing_or_bad_token_means_guest_never_401(api_client, skus, header):
    if header:
        api_client.credentials(HTTP_AUTHORIZATION=header)
    for response in (
        api_client.post("/cart/", {"sku_id": skus[0].id, "count": 1}, format="json"),
        api_client.put("/cart/", {"sku_id": skus[0].id, "count": 2}, format="json"),
        api_client.put("/cart/selection/", {"selected": False}, format="json"),
        api_client.get("/cart/"),
    ):
        assert response.status_code in (200, 201)
    assert api_client.cookies["cart"].value
    assert cart(api_client) == {skus[0].id: (2, False)}
    assert member_cart_keys() == []


def test_an_expired_token_means_guest(api_client, user, skus):
    from datetime import timedelta

    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"JWT {token}")
    assert api_client.post("/cart/", {"sku_id": skus[0].id, "count": 1}, format="json").status_code == 201
    assert "cart" in api_client.cookies
    assert member_cart_keys() == []


def test_member_cart_lives_in_redis_under_the_contract_keys(auth_client, user, skus):
    auth_client.post("/cart/", {"sku_id": skus[0].id, "count": 2}, format="json")
    auth_client.post("/cart/", {"sku_id": skus[1].id, "count": 1, "selected": False}, format="json")
    redis = get_redis_connection("cart")
    assert redis.hgetall(f"cart_{user.id}") == {str(skus[0].id).encode(): b"2", str(skus[1].id).encode(): b"1"}
    assert redis.smembers(f"cart_selected_{user.id}") == {str(skus[0].id).encode()}
    assert "cart" not in auth_client.cookies


def test_members_do_not_see_each_others_carts(auth_client, other_user, skus):
    from meiduo_mall.apps.users.tests.fixtures import jwt_client

    auth_client.post("/cart/", {"sku_id": skus[0].id, "count": 2}, format="json")
    other = jwt_client(other_user)
    assert other.get("/cart/").json() == []
    other.delete("/cart/", {"sku_id": skus[0].id}, format="json")
    other.put("/cart/selection/", {"selected": False}, format="json")
    assert cart(auth_client) == {skus[0].id: (2, True)}


def test_guest_cookie_is_signed_http_only_and_kept_a_year(api_client, skus):
    response = api_client.post("/cart/", {"sku_id": skus[0].id, "count": 1}, format="json")
    morsel = response.cookies["cart"]
    assert morsel["max-age"] == 365 * 24 * 3600
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    assert load_cookie_cart(morsel.value) == [CartLine(skus[0].id, 1, True)]


def test_emptying_a_guest_cart_deletes_the_cookie(api_client, skus):
    api_client.post("/cart/", {"sku_id": skus[0].id, "count": 1}, format="json")
    response = api_client.delete("/cart/", {"sku_id": skus[0].id}, format="json")
    assert response.cookies["cart"].value == ""
    assert response.cookies["cart"]["max-age"] == 0


def test_stock_change_in_the_back_office_reaches_the_cart_check(shopper, db, django_capture_on_commit_callbacks):
    sku = SKUFactory(stock=5)
    assert shopper.post("/cart/", {"sku_id": sku.id, "count": 1}, format="json").status_code == 201
    sku.stock = 1
    with django_capture_on_commit_callbacks(execute=True):
        sku.save()
    assert non_field_error(shopper.post("/cart/", {"sku_id": sku.id, "count": 2}, format="json")) == "商品库存不足"
    sku.is_launched = False
    with django_capture_on_commit_callbacks(execute=True):
        sku.save()
    assert non_field_error(shopper.put("/cart/", {"sku_id": sku.id, "count": 1}, format="json")) == "商品不存在"


def test_listing_rows_are_what_the_documented_serializer_gives(shopper, skus):
    import json

    from meiduo_mall.apps.carts.serializers import CartSKUSerializer

    skus[1].default_image_url = None
    skus[1].price = "1234.50"
    skus[1].save()
    shopper.post("/cart/", {"sku_id": skus[1].id, "count": 2, "selected": False}, format="json")
    shopper.post("/cart/", {"sku_id": skus[0].id, "count": 3}, format="json")
    for sku, count, selected in ((skus[1], 2, False), (skus[0], 3, True)):
        sku.refresh_from_db()
        sku.count, sku.selected = count, selected
    expected = json.loads(json.dumps(CartSKUSerializer([skus[1], skus[0]], many=True).data))
    assert shopper.get("/cart/").json() == expected
