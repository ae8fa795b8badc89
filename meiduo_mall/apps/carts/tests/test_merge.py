"""merge_guest_cart and log_in: the cookie cart moves into Redis at login."""

import pytest
from django.core import signing
from django.http import HttpResponse
from django.test import RequestFactory

from meiduo_mall.apps.carts.services import guest_cart_store, merge_guest_cart
from meiduo_mall.apps.carts.stores import CART_COOKIE_SALT
from meiduo_mall.apps.carts.tests.fixtures import cart_of, fill_cart
from meiduo_mall.apps.users.services import log_in
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db


def login_request(cookie_lines=None, raw_cookie=None):
    request = RequestFactory().post("/authorizations/")
    if cookie_lines is not None:
        raw_cookie = signing.dumps(
            {str(sku_id): {"count": count, "selected": selected} for sku_id, (count, selected) in cookie_lines.items()},
            salt=CART_COOKIE_SALT,
            compress=True,
        )
    if raw_cookie is not None:
        request.COOKIES["cart"] = raw_cookie
    return request


def logged_in_response(request, user):
    """The response of a login from `request`: log_in() empties the guest cart, saving it drops the cookie."""
    guest_cart = guest_cart_store(request)
    log_in(user, guest_cart)
    response = HttpResponse()
    guest_cart.save(response)
    return response


def assert_cookie_deleted(response):
    assert response.cookies["cart"].value == ""
    assert response.cookies["cart"]["max-age"] == 0


def test_cookie_counts_overwrite_and_selection_wins_redis_only_lines_stay(user):
    a, b, c, d = (sku.id for sku in SKUFactory.create_batch(4))
    fill_cart(user, {a: 5, b: 1, c: 7}, unselected={b})

    response = logged_in_response(login_request({a: (2, False), b: (3, True), d: (1, True)}), user)

    assert cart_of(user) == ({a: 2, b: 3, c: 7, d: 1}, {b, c, d})
    assert_cookie_deleted(response)


def test_merge_into_an_empty_member_cart(user):
    a, b = (sku.id for sku in SKUFactory.create_batch(2))
    response = logged_in_response(login_request({a: (4, True), b: (1, False)}), user)
    assert cart_of(user) == ({a: 4, b: 1}, {a})
    assert_cookie_deleted(response)


def test_no_cookie_leaves_the_member_cart_and_sets_no_cookie(user):
    fill_cart(user, {11: 2})
    response = logged_in_response(login_request(), user)
    assert cart_of(user) == ({11: 2}, {11})
    assert "cart" not in response.cookies


@pytest.mark.parametrize("raw", ["forged:value:sig", "gASVAAAAAAAAAAB9lC4="])
def test_an_unreadable_cookie_merges_nothing_and_is_deleted(user, raw):
    fill_cart(user, {11: 2})
    response = logged_in_response(login_request(raw_cookie=raw), user)
    assert cart_of(user) == ({11: 2}, {11})
    assert_cookie_deleted(response)


def test_merge_is_one_round_trip(user, count_round_trips):
    a, b = (sku.id for sku in SKUFactory.create_batch(2))
    guest_cart = guest_cart_store(login_request({a: (4, True), b: (1, False)}))
    count_round_trips.clear()  # creating the SKUs bumped the catalog version; only the merge counts
    merge_guest_cart(guest_cart, user)
    assert count_round_trips == {"cart": 1}


def test_login_merges_the_guest_cart_and_deletes_the_cookie(api_client, user):
    a, b, c = (sku.id for sku in SKUFactory.create_batch(3))
    fill_cart(user, {a: 9, c: 1})
    api_client.credentials(HTTP_AUTHORIZATION="JWT undefined")
    api_client.post("/cart/", {"sku_id": a, "count": 2, "selected": False}, format="json")
    api_client.post("/cart/", {"sku_id": b, "count": 1}, format="json")

    response = api_client.post(
        "/authorizations/", {"username": user.username, "password": "password123"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["user_id"] == user.id
    assert_cookie_deleted(response)
    assert cart_of(user) == ({a: 2, b: 1, c: 1}, {b, c})


def test_failed_login_keeps_the_guest_cart(api_client, user, sku):
    api_client.post("/cart/", {"sku_id": sku.id, "count": 2}, format="json")
    response = api_client.post("/authorizations/", {"username": user.username, "password": "wrong-pass"}, format="json")
    assert response.status_code == 400
    assert "cart" not in response.cookies
    assert api_client.get("/cart/").json()[0]["count"] == 2
    assert cart_of(user) == ({}, set())
