"""Each move of an order's status, called the way payment, the back office and the buyer's views call it."""

import pytest

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.orders import services
from meiduo_mall.apps.orders.exceptions import OrderError, OrderStateError
from meiduo_mall.apps.orders.models import OrderInfo, OrderStatusChange
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


def ship(order, carrier="顺丰速运", tracking_number="SF1234567890", operator=None):
    services.ship(order, carrier, tracking_number, operator=operator)


def history(order):
    return list(OrderStatusChange.objects.filter(order=order).values_list("from_status", "to_status", "operator_id"))


def test_an_alipay_order_goes_through_every_step_to_waiting_for_comments():
    order = placed(ALIPAY)
    assert status_of(order) == Status.UNPAID

    assert services.mark_paid(order) is True
    assert (order.status, status_of(order)) == (Status.UNSEND, Status.UNSEND)
    ship(order)
    assert status_of(order) == Status.UNRECEIVED
    services.confirm_receipt(order)
    assert (order.status, status_of(order)) == (Status.UNCOMMENT, Status.UNCOMMENT)
    assert history(order) == [
        (Status.UNPAID, Status.UNSEND, None),
        (Status.UNSEND, Status.UNRECEIVED, None),
        (Status.UNRECEIVED, Status.UNCOMMENT, None),
    ]


def test_placement_writes_no_history_row_its_create_time_is_that_entry():
    assert history(placed(ALIPAY)) == []
    assert history(placed(CASH)) == []


def test_the_last_comment_records_the_move_to_finished():
    order = placed(CASH)
    ship(order)
    services.confirm_receipt(order)
    line = order.skus.get()

    services.comment_order_line(order, line.sku_id, "质量很好，物流也快", 5, False)

    assert status_of(order) == Status.FINISHED
    assert history(order)[-1] == (Status.UNCOMMENT, Status.FINISHED, None)


def test_mark_paid_moves_an_order_once():
    order = placed(ALIPAY)
    assert services.mark_paid(order) is True

    again = OrderInfo.objects.get(pk=order.pk)
    assert services.mark_paid(again) is False
    assert status_of(order) == Status.UNSEND
    assert history(order) == [(Status.UNPAID, Status.UNSEND, None)]


def test_mark_paid_takes_no_cancelled_order():
    order = placed(ALIPAY)
    services.cancel(order)

    assert services.mark_paid(OrderInfo.objects.get(pk=order.pk)) is False
    assert status_of(order) == Status.CANCELED


def test_mark_paid_takes_no_shipped_order():
    order = placed(ALIPAY)
    services.mark_paid(order)
    ship(order)

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


def test_ship_stores_carrier_number_and_time_and_records_the_operator():
    order = placed(CASH)
    operator = UserFactory(is_staff=True)

    services.ship(order, "  顺丰速运 ", " SF1234567890 ", operator=operator)

    stored = OrderInfo.objects.get(pk=order.pk)
    assert (stored.status, stored.carrier, stored.tracking_number) == (
        Status.UNRECEIVED,
        "顺丰速运",
        "SF1234567890",
    )
    assert stored.shipped_time is not None
    assert (order.status, order.carrier, order.tracking_number) == (Status.UNRECEIVED, "顺丰速运", "SF1234567890")
    assert history(order) == [(Status.UNSEND, Status.UNRECEIVED, operator.id)]


def unpaid_order():
    return placed(ALIPAY)


def cancelled_order():
    order = placed(ALIPAY)
    services.cancel(order)
    return order


def shipped_order():
    order = placed(CASH)
    ship(order)
    return order


@pytest.mark.parametrize("make", [unpaid_order, cancelled_order, shipped_order])
def test_ship_refuses_an_order_not_waiting_for_shipment_and_changes_nothing(make):
    order = make()
    shipment = ("status", "carrier", "tracking_number", "shipped_time", "update_time")
    before = OrderInfo.objects.values(*shipment).get(pk=order.pk)
    rows = history(order)

    with pytest.raises(OrderStateError, match="订单当前不能发货"):
        ship(OrderInfo.objects.get(pk=order.pk), carrier="圆通速递", tracking_number="YT9999999999")

    assert OrderInfo.objects.values(*shipment).get(pk=order.pk) == before
    assert history(order) == rows


@pytest.mark.parametrize(
    "carrier,tracking_number,message",
    [
        ("顺丰速运", "", "请填写快递单号"),
        ("顺丰速运", "   ", "请填写快递单号"),
        ("顺丰速运", None, "请填写快递单号"),
        ("顺丰速运", "S" * 41, "请填写快递单号"),
        ("", "SF1234567890", "请填写快递公司"),
        ("  ", "SF1234567890", "请填写快递公司"),
        ("快" * 31, "SF1234567890", "请填写快递公司"),
    ],
)
def test_ship_needs_a_carrier_and_a_tracking_number(carrier, tracking_number, message):
    order = placed(CASH)

    with pytest.raises(OrderError, match=message):
        services.ship(order, carrier, tracking_number)

    stored = OrderInfo.objects.get(pk=order.pk)
    assert (stored.status, stored.carrier, stored.tracking_number, stored.shipped_time) == (Status.UNSEND, "", "", None)
    assert history(order) == []


def test_cancel_records_the_operator_and_only_the_winning_cancel():
    order = placed(ALIPAY)
    operator = UserFactory(is_staff=True)

    assert services.cancel(order, operator=operator) is True
    assert services.cancel(OrderInfo.objects.get(pk=order.pk)) is False

    assert history(order) == [(Status.UNPAID, Status.CANCELED, operator.id)]


@pytest.mark.parametrize("pay_method", [CASH, ALIPAY])
def test_receipt_is_confirmed_only_for_a_shipped_order_and_only_once(pay_method):
    order = placed(pay_method)
    services.mark_paid(order)
    before = status_of(order)
    with pytest.raises(OrderStateError, match="订单当前不能确认收货"):
        services.confirm_receipt(order)
    assert status_of(order) == before == Status.UNSEND

    ship(order)
    services.confirm_receipt(order)
    with pytest.raises(OrderStateError):
        services.confirm_receipt(OrderInfo.objects.get(pk=order.pk))
    assert status_of(order) == Status.UNCOMMENT


def test_cancel_is_for_unpaid_orders_only():
    order = placed(CASH)

    assert services.cancel(order) is False
    assert status_of(order) == Status.UNSEND
