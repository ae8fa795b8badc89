"""A failure inside place_order once the order, its lines and their stock are written, before the commit
(the hook point orders.services.order_stock_taken): a lost database connection (503) and a crash (500). Nothing
of the order remains, the stock and sales of every SKU and the member's cart are as before, the member's
placement lock is released, and the next submit places the order."""

import pytest
from django.db import OperationalError

from meiduo_mall.apps.carts.tests.fixtures import cart_of, fill_cart
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo
from meiduo_mall.apps.orders.services import order_stock_taken
from tests.factories import SKUFactory

MYSQL_LOST_CONNECTION = 2013


@pytest.fixture
def three_skus(db):
    return [SKUFactory(price="10.00", stock=5, sales=2) for _ in range(3)]


def stock_and_sales(skus):
    return {sku.id: (sku.stock, sku.sales) for sku in SKU.objects.filter(pk__in=[sku.pk for sku in skus])}


@pytest.fixture
def failing_placement():
    """Connect `failure` (an exception) to the hook point; the receiver records what had been taken."""
    taken = []

    def arm(failure):
        def fail(sender, order, sku_ids, **kwargs):
            taken.append((order.order_id, list(sku_ids)))
            raise failure

        order_stock_taken.connect(fail, sender=OrderInfo, weak=False, dispatch_uid="fault")
        return taken

    yield arm
    order_stock_taken.disconnect(sender=OrderInfo, dispatch_uid="fault")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("failure", "status", "message"),
    [
        (OperationalError(MYSQL_LOST_CONNECTION, "Lost connection to server during query"), 503, "服务暂不可用"),
        (RuntimeError("a bug between the stock UPDATE and the COMMIT"), 500, "服务器内部错误"),
    ],
    ids=["database-lost", "crash"],
)
def test_a_placement_failing_after_the_stock_was_taken_leaves_nothing_behind(
    auth_client, user, address, three_skus, failing_placement, failure, status, message
):
    counts = {sku.id: n for sku, n in zip(three_skus, (1, 2, 3), strict=True)}
    fill_cart(user, counts, unselected=[three_skus[2].id])
    cart_before = cart_of(user)
    stock_before = stock_and_sales(three_skus)
    taken = failing_placement(failure)
    auth_client.raise_request_exception = False

    response = auth_client.post("/orders/", {"address": address.id, "pay_method": 2}, format="json")

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": message}
    [(order_id, sku_ids)] = taken
    assert sku_ids == sorted(sku.id for sku in three_skus[:2])
    assert not OrderInfo.objects.filter(pk=order_id).exists()
    assert not OrderInfo.objects.filter(user=user).exists()
    assert not OrderGoods.objects.filter(order_id=order_id).exists()
    assert stock_and_sales(three_skus) == stock_before
    assert cart_of(user) == cart_before

    order_stock_taken.disconnect(sender=OrderInfo, dispatch_uid="fault")
    response = auth_client.post("/orders/", {"address": address.id, "pay_method": 2}, format="json")

    assert response.status_code == 201, response.content
    order = OrderInfo.objects.get(pk=response.json()["order_id"])
    assert {line.sku_id: line.count for line in order.skus.all()} == {three_skus[0].id: 1, three_skus[1].id: 2}
    assert stock_and_sales(three_skus) == {
        three_skus[0].id: (4, 3),
        three_skus[1].id: (3, 4),
        three_skus[2].id: (5, 2),
    }
    assert cart_of(user) == ({three_skus[2].id: 3}, set())
