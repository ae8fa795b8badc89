"""Buyers racing for the same stock, through HTTP against a live server on MariaDB.

Every buyer is a real thread sending a real request; the live server answers each request
in its own thread with its own database connection, so the races are the ones production has.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection, transaction

from meiduo_mall.apps.areas.models import Area
from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.goods.models import SKU, Goods
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo
from meiduo_mall.apps.orders.services import place_order, refresh_goods_sales
from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import AddressFactory, GoodsFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def buyers(count, cart):
    """`count` members, each with an address and the given cart lines, ready to post an order."""
    ready = []
    for _ in range(count):
        user = UserFactory()
        fill_cart(user, cart)
        ready.append((issue_jwt(user), AddressFactory(user=user).id))
    return ready


def all_at_once(url, ready):
    """POST /orders/ for every buyer at the same moment; returns (status, body) per buyer."""
    start = threading.Barrier(len(ready))

    def buy(buyer):
        token, address_id = buyer
        start.wait()
        response = requests.post(
            f"{url}/orders/",
            json={"address": address_id, "pay_method": 1},
            headers={"Authorization": f"JWT {token}"},
            timeout=60,
        )
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(ready)) as pool:
        return list(pool.map(buy, ready))


@pytest.mark.parametrize("stock, buyer_count", [(5, 20), (1, 5)])
def test_buyers_racing_for_scarce_stock_never_oversell(live_server, stock, buyer_count):
    goods = GoodsFactory()
    sku = SKUFactory(goods=goods, name="限量款", stock=stock, sales=0)

    results = all_at_once(live_server.url, buyers(buyer_count, {sku.id: 1}))

    statuses = [status for status, _ in results]
    assert statuses.count(201) == stock
    assert statuses.count(400) == buyer_count - stock
    assert all(body == ["限量款 库存不足"] for status, body in results if status == 400)
    sku.refresh_from_db()
    refresh_goods_sales()
    goods.refresh_from_db()
    assert (sku.stock, sku.sales, goods.sales) == (0, stock, stock)
    assert OrderInfo.objects.count() == stock
    assert OrderGoods.objects.filter(sku=sku).count() == stock


def test_buyers_of_a_plentiful_and_a_scarce_sku_get_all_or_nothing(live_server):
    """One UPDATE takes every line's stock: the scarce line refuses the order and the plentiful one keeps its units."""
    plenty = SKUFactory(stock=100, sales=0)
    scarce = SKUFactory(name="稀缺款", stock=4, sales=0)

    results = all_at_once(live_server.url, buyers(12, {scarce.id: 1, plenty.id: 2}))

    statuses = [status for status, _ in results]
    assert statuses.count(201) == 4
    assert all(body == ["稀缺款 库存不足"] for status, body in results if status != 201), results
    plenty.refresh_from_db()
    scarce.refresh_from_db()
    assert (plenty.stock, plenty.sales, scarce.stock, scarce.sales) == (100 - 8, 8, 0, 4)
    assert OrderGoods.objects.filter(sku=plenty).count() == OrderGoods.objects.filter(sku=scarce).count() == 4


def test_buyers_taking_two_skus_in_opposite_order_never_see_a_deadlock(live_server):
    first, second = SKUFactory(stock=1000), SKUFactory(stock=1000)
    rounds, per_side = 6, 3
    for _ in range(rounds):
        # Half of the carts list the lines one way round, half the other.
        ready = buyers(per_side, {first.id: 1, second.id: 1}) + buyers(per_side, {second.id: 1, first.id: 1})
        results = all_at_once(live_server.url, ready)
        assert [status for status, _ in results] == [201] * (2 * per_side), results
    first.refresh_from_db()
    second.refresh_from_db()
    placed = rounds * 2 * per_side
    assert (first.stock, second.stock) == (1000 - placed, 1000 - placed)
    assert OrderInfo.objects.count() == placed


def innodb_deadlocks():
    with connection.cursor() as cursor:
        cursor.execute("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")
        return int(cursor.fetchone()[1])


def test_a_buyer_chosen_as_deadlock_victim_is_retried_not_failed():
    """Force a real deadlock with a heavier rival transaction; the buyer's order still goes through."""
    first, second = SKUFactory(stock=10), SKUFactory(stock=10)
    user = UserFactory()
    address = AddressFactory(user=user)
    fill_cart(user, {first.id: 1, second.id: 1})
    holding_second = threading.Event()
    outcome = {}
    deadlocks_before = innodb_deadlocks()

    def rival():
        # Many written rows make the rival the heavier transaction, so InnoDB rolls back the buyer.
        try:
            with transaction.atomic():
                Area.objects.bulk_create(Area(id=900000 + i, name="临时") for i in range(300))
                list(SKU.objects.select_for_update().filter(pk=second.pk))
                holding_second.set()
                time.sleep(0.5)  # the buyer now holds `first` and waits for `second`
                list(SKU.objects.select_for_update().filter(pk=first.pk))
                transaction.set_rollback(True)
        finally:
            connection.close()

    def buyer():
        holding_second.wait(10)
        try:
            outcome["order"] = place_order(user, address, OrderInfo.PayMethod.CASH)
        except Exception as exc:  # noqa: BLE001 - the assertion below shows what reached the buyer
            outcome["error"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=rival), threading.Thread(target=buyer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert "error" not in outcome, outcome
    assert innodb_deadlocks() > deadlocks_before
    assert not Area.objects.filter(id__gte=900000).exists()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.stock, second.stock) == (9, 9)
    refresh_goods_sales()
    assert Goods.objects.get(pk=first.goods_id).sales == 1
    assert outcome["order"].skus.count() == 2
