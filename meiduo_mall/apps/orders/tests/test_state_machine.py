"""Each move of an order's status, called the way payment, the back office and the buyer's views call it."""

import pytest

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.orders import services
from meiduo_mall.apps.orders.exceptions import OrderStateError
from meiduo_mall.apps.orders.models import OrderInfo
from tests.factories import AddressFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = OrderInfo.Status
CASH, ALIPAY = OrderInfo.PayMethod.CASH, OrderInfo.PayMethod.ALIPAY


def placed(pay_method=ALIPAY, sku=None, count=1):
    user = UserFactory()
    sku = sku or SKUFactory()
    fill_cart(user, {sku.id: count})
    return services.place_order(user, AddressFactory(user=user), pay_method)


def status_of(order):
    return OrderInfo.objects.get(pk=order.pk).status


def test_an_alipay_order_goes_through_every_step_to_waiting_for_comments():
    order = placed(ALIPAY)
    assert status_of(order) == Status.UNPAID

    assert services.mark_paid(order) is True
    assert (order.status, status_of(order)) == (Status.UNSEND, Status.UNSEND)
    assert services.ship(OrderInfo.objects.filter(pk=order.pk)) == 1
    assert status_of(order) == Status.UNRECEIVED
    services.confirm_receipt(order)
    assert (order.status, status_of(order)) == (Status.UNCOMMENT, Status.UNCOMMENT)


def test_mark_paid_moves_an_order_once():
    order = placed(ALIPAY)
    assert services.mark_paid(order) is True

    again = OrderInfo.objects.get(pk=order.pk)
    assert services.mark_paid(again) is False
    assert status_of(order) == Status.UNSEND


def test_mark_paid_takes_no_cancelled_order():
    order = placed(ALIPAY)
    services.cancel(order)

    assert services.mark_paid(OrderInfo.objects.get(pk=order.pk)) is False
    assert status_of(order) == Status.CANCELED


def test_mark_paid_takes_no_shipped_order():
    order = placed(ALIPAY)
    services.mark_paid(order)
    services.ship(OrderInfo.objects.filter(pk=order.pk))

    assert services.mark_paid(OrderInfo.objects.get(pk=order.pk)) is False
    assert status_of(order) == Status.UNRECEIVED


def test_mark_paid_leaves_an_order_paid_on_delivery_alone():
    order = placed(CASH)
    assert status_of(order) == Status.UNSEND

    assert services.mark_paid(order) is False
    assert status_of(order) == Status.UNSEND


def test_a_paid_order_can_no_longer_be_cancelled_and_keeps_its_stock():
    sku = SKUFactory(stock=5)
    order = placed(ALIPAY, sku=sku, count=2)
    services.mark_paid(order)

    assert services.cancel(OrderInfo.objects.get(pk=order.pk)) is False
    assert status_of(order) == Status.UNSEND
    sku.refresh_from_db()
    assert sku.stock == 3


def test_ship_moves_only_orders_waiting_for_shipment_and_counts_them():
    waiting = [placed(CASH), placed(CASH)]
    unpaid = placed(ALIPAY)
    cancelled = placed(ALIPAY)
    services.cancel(cancelled)
    everything = OrderInfo.objects.filter(pk__in=[o.pk for o in [*waiting, unpaid, cancelled]])

    assert services.ship(everything) == 2
    assert services.ship(everything) == 0
    assert [status_of(o) for o in waiting] == [Status.UNRECEIVED, Status.UNRECEIVED]
    assert (status_of(unpaid), status_of(cancelled)) == (Status.UNPAID, Status.CANCELED)


@pytest.mark.parametrize("pay_method", [CASH, ALIPAY])
def test_receipt_is_confirmed_only_for_a_shipped_order_and_only_once(pay_method):
    order = placed(pay_method)
    services.mark_paid(order)
    before = status_of(order)
    with pytest.raises(OrderStateError, match="订单当前不能确认收货"):
        services.confirm_receipt(order)
    assert status_of(order) == before == Status.UNSEND

    services.ship(OrderInfo.objects.filter(pk=order.pk))
    services.confirm_receipt(order)
    with pytest.raises(OrderStateError):
        services.confirm_receipt(OrderInfo.objects.get(pk=order.pk))
    assert status_of(order) == Status.UNCOMMENT


def test_cancel_is_for_unpaid_orders_only():
    order = placed(CASH)

    assert services.cancel(order) is False
    assert status_of(order) == Status.UNSEND
