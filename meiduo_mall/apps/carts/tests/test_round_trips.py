"""DESIGN.md: a member's add to cart is one Redis round trip for the cart and no SQL beyond the SKU lookup."""

import pytest
from django.core.cache import cache
from django_redis import get_redis_connection

from meiduo_mall.apps.carts.services import cart_sku_cache_key

pytestmark = pytest.mark.django_db


def test_member_add_is_one_cart_pipeline_and_one_sku_query(
    auth_client, user, sku, count_round_trips, django_assert_max_num_queries, django_assert_num_queries
):
    # Opens the connections and caches the member; what the add itself costs is measured next.
    auth_client.get("/cart/")
    cache.delete(cart_sku_cache_key(sku.id))
    count_round_trips.clear()

    with django_assert_max_num_queries(1):
        response = auth_client.post("/cart/", {"sku_id": sku.id, "count": 2}, format="json")
    assert response.status_code == 201
    # The member comes from the cache (one read); the SKU is read from the database once and cached (one write).
    assert count_round_trips == {"cart": 1, "default": 3}

    count_round_trips.clear()
    with django_assert_num_queries(0):
        auth_client.post("/cart/", {"sku_id": sku.id, "count": 1}, format="json")
    assert count_round_trips == {"cart": 1, "default": 2}
    assert get_redis_connection("cart").hget(f"cart_{user.id}", sku.id) == b"3"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/cart/", None),
        ("put", "/cart/", {"sku_id": "SKU", "count": 1, "selected": False}),
        ("delete", "/cart/", {"sku_id": "SKU"}),
        ("put", "/cart/selection/", {"selected": True}),
        ("put", "/cart/selection/", {"selected": False}),
    ],
)
def test_every_member_cart_operation_is_one_cart_round_trip(auth_client, sku, count_round_trips, method, path, body):
    auth_client.post("/cart/", {"sku_id": sku.id, "count": 2}, format="json")
    count_round_trips.clear()
    if body and body.get("sku_id") == "SKU":
        body = {**body, "sku_id": sku.id}
    response = getattr(auth_client, method)(path, body, format="json")
    assert response.status_code in (200, 204)
    assert count_round_trips["cart"] == 1
