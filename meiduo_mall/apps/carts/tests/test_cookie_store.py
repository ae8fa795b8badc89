"""The guest cookie is signed JSON: anything else reads as an empty cart, is replaced, and is never unpickled."""

import base64
import pickle
import time

import pytest
from django.core import signing

from meiduo_mall.apps.carts.stores import (
    CART_COOKIE_MAX_AGE,
    CART_COOKIE_SALT,
    MAX_CART_LINES,
    CartLine,
    load_cookie_cart,
)

pytestmark = pytest.mark.django_db


def signed(data, salt=CART_COOKIE_SALT, compress=True):
    return signing.dumps(data, salt=salt, compress=compress)


def guest_with_cookie(api_client, value):
    api_client.cookies["cart"] = value
    return api_client


class CreatesFileWhenUnpickled:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


class PickleSerializer:
    def dumps(self, obj):
        return pickle.dumps(obj)

    def loads(self, data):
        return pickle.loads(data)


def assert_replaced_by_empty_cart(response):
    assert response.status_code == 200
    assert response.json() == []
    assert response.cookies["cart"].value == ""
    assert response.cookies["cart"]["max-age"] == 0


def test_a_cookie_we_signed_is_read(api_client, sku):
    guest_with_cookie(api_client, signed({str(sku.id): {"count": 3, "selected": False}}))
    response = api_client.get("/cart/")
    assert [(line["id"], line["count"], line["selected"]) for line in response.json()] == [(sku.id, 3, False)]
    assert "cart" not in response.cookies


def test_a_forged_signature_is_an_empty_cart(api_client, sku):
    value = signed({str(sku.id): {"count": 3, "selected": True}})
    payload, signature = value.rsplit(":", 1)
    forged = payload + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_replaced_by_empty_cart(guest_with_cookie(api_client, forged).get("/cart/"))


def test_a_cookie_signed_with_another_key_or_salt_is_an_empty_cart(api_client, sku, settings):
    lines = {str(sku.id): {"count": 3, "selected": True}}
    foreign = signing.dumps(lines, key="another-shop's-secret", salt=CART_COOKIE_SALT, compress=True)
    assert_replaced_by_empty_cart(guest_with_cookie(api_client, foreign).get("/cart/"))
    other_purpose = signed(lines, salt="meiduo_mall.users.password_reset")
    assert_replaced_by_empty_cart(guest_with_cookie(api_client, other_purpose).get("/cart/"))


def test_an_original_pickle_cookie_is_never_unpickled(api_client, tmp_path):
    marker = tmp_path / "pwned"
    # The original shop's format: base64(pickle(...)).
    value = base64.b64encode(pickle.dumps(CreatesFileWhenUnpickled(marker))).decode()
    assert_replaced_by_empty_cart(guest_with_cookie(api_client, value).get("/cart/"))
    assert not marker.exists()


def test_a_validly_signed_pickle_is_never_unpickled(api_client, tmp_path):
    marker = tmp_path / "pwned"
    value = signing.dumps(CreatesFileWhenUnpickled(marker), salt=CART_COOKIE_SALT, serializer=PickleSerializer)
    assert not marker.exists()
    assert_replaced_by_empty_cart(guest_with_cookie(api_client, value).get("/cart/"))
    assert not marker.exists()


def test_an_expired_cookie_is_an_empty_cart(api_client, sku, monkeypatch):
    value = signed({str(sku.id): {"count": 1, "selected": True}})
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + CART_COOKIE_MAX_AGE + 60)
    assert_replaced_by_empty_cart(guest_with_cookie(api_client, value).get("/cart/"))


def test_an_oversized_cookie_is_an_empty_cart(api_client, sku):
    value = signed({str(sku.id): {"count": 1, "selected": True}, "padding": "x" * 8000}, compress=False)
    assert len(value) > 4096
    assert_replaced_by_empty_cart(guest_with_cookie(api_client, value).get("/cart/"))


@pytest.mark.parametrize(
    "data",
    [
        [],
        "cart",
        None,
        {"abc": {"count": 1, "selected": True}},
        {"-1": {"count": 1, "selected": True}},
        {"0": {"count": 1, "selected": True}},
        {"１２": {"count": 1, "selected": True}},
        {str(2**64): {"count": 1, "selected": True}},
        {"SKU": {"count": 0, "selected": True}},
        {"SKU": {"count": 201, "selected": True}},
        {"SKU": {"count": "1", "selected": True}},
        {"SKU": {"count": True, "selected": True}},
        {"SKU": {"count": 1.0, "selected": True}},
        {"SKU": {"count": 1, "selected": "yes"}},
        {"SKU": {"count": 1}},
        {"SKU": [1, True]},
        {str(n): {"count": 1, "selected": True} for n in range(1, MAX_CART_LINES + 2)},
    ],
)
def test_a_signed_cookie_that_is_no_cart_reads_as_empty(api_client, sku, data):
    if isinstance(data, dict) and "SKU" in data:
        data = {str(sku.id): data["SKU"]}
    assert load_cookie_cart(signed(data)) == []
    assert_replaced_by_empty_cart(guest_with_cookie(api_client, signed(data)).get("/cart/"))


@pytest.mark.parametrize("value", ["", "garbage", ":::", "a" * 5000, "eyJ4Ijo:1:2", "\xe4\xb8\xad\xe6\x96\x87"])
def test_garbage_never_gives_a_500(api_client, sku, value):
    guest_with_cookie(api_client, value)
    response = api_client.post("/cart/", {"sku_id": sku.id, "count": 2}, format="json")
    assert response.status_code == 201
    assert load_cookie_cart(response.cookies["cart"].value) == [CartLine(sku.id, 2, True)]
