"""Every member cart operation is one Redis round trip for the cart, the SKU check included, and
no SQL; authenticating the member costs one small cache read."""

import pytest
from django_redis import get_redis_connection

from meiduo_mall.apps.carts.stores import ADD_SCRIPT, SELECT_ALL_SCRIPT, SET_SCRIPT, SKU_FACTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded_scripts():
    """The server keeps scripts until it restarts; the first EVALSHA after that loads them once (two more trips)."""
    client = get_redis_connection("cart")
    for script in (ADD_SCRIPT, SET_SCRIPT, SELECT_ALL_SCRIPT):
        client.script_load(script)


def test_member_add_is_one_cart_round_trip_and_no_sql(
    auth_client, user, sku, loaded_scripts, count_round_trips, django_assert_max_num_queries, django_assert_num_queries
):
    # Opens the connections and caches the member's fingerprint; what the add itself costs is measured next.
    auth_client.get("/cart/")
    SKU_FACTS.forget(sku.id)
    count_round_trips.clear()

    with django_assert_max_num_queries(1):
        response = auth_client.post("/cart/", {"sku_id": sku.id, "count": 2}, format="json")
    assert response.status_code == 201
    # The SKU's facts were not cached: the script asks for them, they are read from the database once and the
    # script runs again with them, caching them. The member's fingerprint is one cache read.
    assert count_round_trips == {"cart": 2, "default": 1}

    count_round_trips.clear()
    with django_assert_num_queries(0):
        auth_client.post("/cart/", {"sku_id": sku.id, "count": 1}, format="json")
    assert count_round_trips == {"cart": 1, "default": 1}
    assert get_redis_connection("cart").hget(f"cart_{user.id}", sku.id) == b"3"


def test_a_refused_add_is_one_round_trip_and_writes_nothing(auth_client, user, sku, loaded_scripts, count_round_trips):
    auth_client.post("/cart/", {"sku_id": sku.id, "count": 2}, format="json")
    count_round_trips.clear()
    response = auth_client.post("/cart/", {"sku_id": sku.id, "count": sku.stock}, format="json")
    assert response.status_code == 400
    assert count_round_trips["cart"] == 1
    assert get_redis_connection("cart").hget(f"cart_{user.id}", sku.id) == b"2"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/cart/", None),
        ("post", "/cart/", {"sku_id": "SKU", "count": 1}),
        ("put", "/cart/", {"sku_id": "SKU", "count": 1, "selected": False}),
        ("delete", "/cart/", {"sku_id": "SKU"}),
        ("put", "/cart/selection/", {"selected": True}),
        ("put", "/cart/selection/", {"selected": False}),
    ],
)
def test_every_member_cart_operation_is_one_cart_round_trip(
    auth_client, sku, loaded_scripts, count_round_trips, django_assert_max_num_queries, method, path, body
):
    auth_client.post("/cart/", {"sku_id": sku.id, "count": 2}, format="json")
    count_round_trips.clear()
    if body and body.get("sku_id") == "SKU":
        body = {**body, "sku_id": sku.id}
    # GET reads the lines' SKUs for display; nothing else touches the database.
    with django_assert_max_num_queries(1 if method == "get" else 0):
        response = getattr(auth_client, method)(path, body, format="json")
    assert response.status_code in (200, 201, 204)
    assert count_round_trips == {"cart": 1, "default": 1}


def test_an_unknown_sku_is_looked_up_once_and_its_facts_expire(
    auth_client, loaded_scripts, django_assert_num_queries, django_assert_max_num_queries
):
    auth_client.get("/cart/")
    with django_assert_max_num_queries(1):
        first = auth_client.post("/cart/", {"sku_id": 987654321, "count": 1}, format="json")
    with django_assert_num_queries(0):
        second = auth_client.post("/cart/", {"sku_id": 987654321, "count": 1}, format="json")
    assert first.json() == second.json() == {"non_field_errors": ["商品不存在"]}
    assert 0 < get_redis_connection("cart").ttl(SKU_FACTS.key(987654321)) <= 30
