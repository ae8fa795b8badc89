"""One member submitting the same cart several times at once, through HTTP against a live server on MariaDB and
Redis: one order, stock taken once (docs/api.md P2).

Each submit is a real thread sending a real request, answered by the live server in its own thread with its own
database connection. Where the overlap must be certain, the second request is sent from inside the first, at
the point orders.services.order_lines_read marks (cart and stock read, nothing written).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.services import order_lines_read
from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import AddressFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

IN_PROGRESS = {"message": "订单正在提交，请勿重复提交"}


class Member:
    def __init__(self, cart):
        self.user = UserFactory()
        fill_cart(self.user, cart)
        self.token = issue_jwt(self.user)
        self.address_id = AddressFactory(user=self.user).id

    def submit(self, url, key=None):
        headers = {"Authorization": f"JWT {self.token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        response = requests.post(
            f"{url}/orders/", json={"address": self.address_id, "pay_method": 1}, headers=headers, timeout=60
        )
        return response.status_code, response.json()


def all_at_once(count, submit):
    start = threading.Barrier(count)

    def one(_):
        start.wait()
        return submit()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.parametrize("count", [2, 5])
def test_submits_at_the_same_instant_make_one_order(live_server, count):
    sku = SKUFactory(stock=10, sales=0)
    member = Member({sku.id: 2})

    results = all_at_once(count, lambda: member.submit(live_server.url))

    placed = [body for status, body in results if status == 201]
    assert len(placed) == 1, results
    # A submit that came after the first had finished finds the ordered lines gone from the cart.
    refused = [(status, body) for status, body in results if status != 201]
    assert all(answer in [(409, IN_PROGRESS), (400, ["购物车中没有勾选的商品"])] for answer in refused), results
    assert list(OrderInfo.objects.values_list("order_id", flat=True)) == [placed[0]["order_id"]]
    sku.refresh_from_db()
    assert (sku.stock, sku.sales) == (8, 2)


@pytest.mark.parametrize("count", [2, 5])
def test_submits_of_one_intent_at_the_same_instant_make_one_order(live_server, count):
    """The page's retries carry its key: each gets the order (201 once, 200 after) or 409 while it is placed."""
    sku = SKUFactory(stock=10, sales=0)
    member = Member({sku.id: 2})

    results = all_at_once(count, lambda: member.submit(live_server.url, key="intent-1"))

    placed = [body for status, body in results if status == 201]
    assert len(placed) == 1, results
    assert all(
        (status == 409 and body == IN_PROGRESS) or (status == 200 and body == placed[0])
        for status, body in results
        if status != 201
    ), results
    assert member.submit(live_server.url, key="intent-1") == (200, placed[0])
    assert OrderInfo.objects.count() == 1
    sku.refresh_from_db()
    assert (sku.stock, sku.sales) == (8, 2)


def rival_inside_first_placement(rival):
    """Sends `rival()` once, from inside the next placement the live server runs; returns its results."""
    results = []
    fired = threading.Lock()

    def run_rival(sender, **kwargs):
        if fired.acquire(blocking=False):
            results.append(rival())

    order_lines_read.connect(run_rival, weak=False)
    return results, lambda: order_lines_read.disconnect(run_rival)


@pytest.mark.parametrize("key", [None, "intent-1"])
def test_a_second_submit_arriving_inside_the_first_gets_409_and_nothing(live_server, key):
    sku = SKUFactory(stock=10, sales=0)
    member = Member({sku.id: 2})
    rival, disconnect = rival_inside_first_placement(lambda: member.submit(live_server.url, key=key))
    try:
        first = member.submit(live_server.url, key="intent-1")
    finally:
        disconnect()

    assert first[0] == 201
    assert rival == [(409, IN_PROGRESS)]
    assert OrderInfo.objects.count() == 1
    sku.refresh_from_db()
    assert (sku.stock, sku.sales) == (8, 2)


def test_another_member_places_an_order_while_the_first_is_being_placed(live_server):
    sku = SKUFactory(stock=10, sales=0)
    first_member, second_member = Member({sku.id: 1}), Member({sku.id: 3})
    rival, disconnect = rival_inside_first_placement(lambda: second_member.submit(live_server.url))
    try:
        first = first_member.submit(live_server.url)
    finally:
        disconnect()

    assert first[0] == 201
    assert [status for status, _ in rival] == [201]
    assert OrderInfo.objects.filter(user__in=[first_member.user, second_member.user]).count() == 2
    sku.refresh_from_db()
    assert sku.stock == 6
