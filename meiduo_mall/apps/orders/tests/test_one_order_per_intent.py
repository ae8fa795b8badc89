"""One order per intent: the member's placement lock and the Idempotency-Key of POST /orders/ (docs/api.md P2).

A second submit is sent from inside the first, at the point order_lines_read marks (the cart and stock read,
nothing written), so the overlap every double click risks happens on every run.
"""

from contextlib import contextmanager

import pytest

from meiduo_mall.apps.carts.tests.fixtures import cart_of, fill_cart
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.services import order_lines_read
from meiduo_mall.apps.users.tests.fixtures import jwt_client
from tests.factories import AddressFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db

CASH = OrderInfo.PayMethod.CASH


def post_order(client, address, key=None):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post("/orders/", {"address": address.id, "pay_method": CASH}, format="json", headers=headers)


@contextmanager
def inside_the_first_placement(rival):
    """Runs `rival()` once, inside the next placement, between its cart read and its write; yields its results."""
    results = []
    fired = []

    def run_rival(sender, **kwargs):
        # The rival's own placement sends the signal too; it must not start a third.
        if not fired:
            fired.append(True)
            results.append(rival())

    order_lines_read.connect(run_rival, weak=False)
    try:
        yield results
    finally:
        order_lines_read.disconnect(run_rival)


def test_the_same_key_again_returns_the_same_order_and_takes_nothing_more(auth_client, user, address):
    sku = SKUFactory(stock=10)
    fill_cart(user, {sku.id: 2})

    first = post_order(auth_client, address, key="intent-1")
    fill_cart(user, {sku.id: 2})  # a cart ticked again must not turn the retry into a second order
    again = post_order(auth_client, address, key="intent-1")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert OrderInfo.objects.filter(user=user).count() == 1
    sku.refresh_from_db()
    assert sku.stock == 8
    assert cart_of(user)[0] == {sku.id: 2}


def test_another_key_is_another_order(auth_client, user, address):
    sku = SKUFactory(stock=10)
    fill_cart(user, {sku.id: 1})
    first = post_order(auth_client, address, key="intent-1")
    fill_cart(user, {sku.id: 1})
    second = post_order(auth_client, address, key="intent-2")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["order_id"] != second.json()["order_id"]
    sku.refresh_from_db()
    assert sku.stock == 8


def test_keys_belong_to_their_member(auth_client, user, address):
    """Another member's key finds none of this member's orders."""
    sku = SKUFactory(stock=10)
    other = UserFactory()
    fill_cart(user, {sku.id: 1})
    fill_cart(other, {sku.id: 1})

    mine = post_order(auth_client, address, key="shared-key")
    theirs = post_order(jwt_client(other), AddressFactory(user=other), key="shared-key")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert OrderInfo.objects.get(order_id=theirs.json()["order_id"]).user == other


@pytest.mark.parametrize("key", ["", "x" * 65, "含中文", "a b"])
def test_a_malformed_key_is_refused_before_anything_is_taken(auth_client, user, address, key):
    sku = SKUFactory(stock=10)
    fill_cart(user, {sku.id: 1})

    response = post_order(auth_client, address, key=key)

    assert response.status_code == 400
    assert response.json() == ["Idempotency-Key 无效"]
    assert not OrderInfo.objects.exists()


@pytest.mark.parametrize("second_key", [None, "intent-1"])
def test_a_submit_while_the_members_first_runs_gets_409(auth_client, user, address, second_key):
    sku = SKUFactory(stock=10)
    fill_cart(user, {sku.id: 3})

    with inside_the_first_placement(lambda: post_order(jwt_client(user), address, key=second_key)) as rival:
        first = post_order(auth_client, address, key="intent-1")

    assert first.status_code == 201
    assert rival[0].status_code == 409
    assert rival[0].json() == {"message": "订单正在提交，请勿重复提交"}
    assert OrderInfo.objects.filter(user=user).count() == 1
    sku.refresh_from_db()
    assert sku.stock == 7


def test_other_members_are_not_held_up_by_a_placement(auth_client, user, address):
    sku = SKUFactory(stock=10)
    other = UserFactory()
    fill_cart(user, {sku.id: 1})
    fill_cart(other, {sku.id: 2})

    other_address = AddressFactory(user=other)
    with inside_the_first_placement(lambda: post_order(jwt_client(other), other_address)) as rival:
        first = post_order(auth_client, address)

    assert (first.status_code, rival[0].status_code) == (201, 201)
    sku.refresh_from_db()
    assert sku.stock == 7


def test_a_refused_placement_leaves_the_member_free_to_submit_again(auth_client, user, address):
    sku = SKUFactory(name="限量款", stock=1)
    fill_cart(user, {sku.id: 2})
    refused = post_order(auth_client, address, key="intent-1")
    fill_cart(user, {sku.id: 1})
    retried = post_order(auth_client, address, key="intent-1")

    assert refused.status_code == 400
    assert refused.json() == ["限量款 库存不足"]
    assert retried.status_code == 201
