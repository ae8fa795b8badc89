"""The refund rules of orders.services: what a payment's refunds may claim, and each refund's status moves."""

from decimal import Decimal

import pytest
from django.utils import timezone

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.orders.exceptions import OrderError, OrderStateError, RefundExceedsPayment, RefundStateError
from meiduo_mall.apps.orders.models import OrderInfo, Refund
from meiduo_mall.apps.orders.services import (
    cancel_paid_order,
    confirm_receipt,
    mark_paid,
    place_order,
    refund_failed,
    refund_processing,
    refund_succeeded,
    request_refund,
    retry_refund,
)
from meiduo_mall.apps.payment.models import Payment
from tests.factories import AddressFactory, SKUFactory

pytestmark = pytest.mark.django_db

Status = Refund.Status


@pytest.fixture
def paid(make_order):
    """An Alipay order of 110.00 waiting for shipment and the payment that took it; returns (order, payment)."""
    order = make_order(status=OrderInfo.Status.UNSEND)
    payment = Payment.objects.create(order=order, trade_id=f"T{order.order_id}", amount=order.total_amount)
    return order, payment


def claimed(payment):
    payment.refresh_from_db()
    return payment.refunded_amount


def test_a_refund_claims_its_amount_on_the_payment_under_a_readable_request_number(paid, user):
    order, payment = paid

    first = request_refund(order, payment, Decimal("30.00"), "退货退款", operator=user)
    second = request_refund(order, payment, "80.00", "退货退款")

    assert claimed(payment) == Decimal("110.00")
    assert (first.out_request_no, second.out_request_no) == (f"{order.order_id}R01", f"{order.order_id}R02")
    row = Refund.objects.get(pk=first.pk)
    assert (row.status, row.amount, row.reason, row.operator, row.attempts) == (
        Status.PENDING,
        Decimal("30.00"),
        "退货退款",
        user,
        0,
    )


def test_a_refund_above_what_was_paid_is_refused_and_nothing_changes(paid):
    order, payment = paid
    request_refund(order, payment, Decimal("100.00"), "部分退款")

    with pytest.raises(RefundExceedsPayment) as refused:
        request_refund(order, payment, Decimal("10.01"), "再退一笔")

    assert refused.value.message == "退款金额超过实付金额"
    assert refused.value.status_code == 400
    assert claimed(payment) == Decimal("100.00")
    assert Refund.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("amount", ["0", "-5.00", "0.001", "NaN", "Infinity"])
def test_an_amount_that_is_not_positive_cents_is_refused(paid, amount):
    order, payment = paid

    with pytest.raises(OrderError, match="退款金额无效"):
        request_refund(order, payment, Decimal(amount), "退款")

    assert claimed(payment) == 0
    assert not Refund.objects.exists()


def test_a_failed_refund_gives_its_claim_back_and_a_retry_claims_it_again(paid, user):
    order, payment = paid
    refund = request_refund(order, payment, order.total_amount, "订单取消退款")
    assert refund_processing(refund)

    assert refund_failed(refund, "交易状态不合法")
    assert claimed(payment) == 0
    row = Refund.objects.get(pk=refund.pk)
    assert (row.status, row.failure_reason, row.attempts) == (Status.FAILED, "交易状态不合法", 1)
    assert not refund_failed(refund, "again")
    assert claimed(payment) == 0

    retry_refund(refund, user)

    row = Refund.objects.get(pk=refund.pk)
    assert (row.status, row.failure_reason, row.out_request_no) == (Status.PENDING, "", refund.out_request_no)
    assert claimed(payment) == Decimal("110.00")
    with pytest.raises(RefundStateError):
        retry_refund(refund, user)
    assert claimed(payment) == Decimal("110.00")


def test_a_retry_is_refused_when_other_refunds_took_the_money_meanwhile(paid, user):
    order, payment = paid
    failed = request_refund(order, payment, Decimal("80.00"), "退款")
    refund_failed(failed, "余额不足")
    request_refund(order, payment, Decimal("50.00"), "另一笔退款")

    with pytest.raises(RefundExceedsPayment):
        retry_refund(failed, user)

    assert Refund.objects.get(pk=failed.pk).status == Status.FAILED
    assert claimed(payment) == Decimal("50.00")


def test_a_refund_succeeds_once_with_its_gateway_reference(paid, django_capture_on_commit_callbacks):
    order, payment = paid
    refund = request_refund(order, payment, Decimal("110.00"), "退款")
    when = timezone.now()

    assert refund_succeeded(refund, "2026120122001", when)
    assert not refund_succeeded(refund, "other", when)
    assert not refund_failed(refund, "late answer")

    row = Refund.objects.get(pk=refund.pk)
    assert (row.status, row.gateway_reference, row.refunded_time) == (Status.SUCCEEDED, "2026120122001", when)
    assert claimed(payment) == Decimal("110.00")
    with pytest.raises(RefundStateError):
        retry_refund(refund)


def test_a_late_payment_is_no_longer_owed_once_refunds_paid_it_all_back(make_order):
    order = make_order(status=OrderInfo.Status.CANCELED)
    payment = Payment.objects.create(order=order, trade_id="T-late", amount=order.total_amount, refund_needed=True)
    part = request_refund(order, payment, Decimal("10.00"), "退款")
    rest = request_refund(order, payment, Decimal("100.00"), "退款")

    refund_succeeded(part, "R1")
    payment.refresh_from_db()
    assert payment.refund_needed
    refund_succeeded(rest, "R2")
    payment.refresh_from_db()
    assert not payment.refund_needed


def test_confirming_receipt_starts_the_return_window(make_order):
    order = make_order(status=OrderInfo.Status.UNRECEIVED)
    before = timezone.now()

    confirm_receipt(order)

    stored = OrderInfo.objects.get(pk=order.pk)
    assert stored.status == OrderInfo.Status.UNCOMMENT
    assert before <= stored.received_time <= timezone.now()
    assert order.received_time == stored.received_time


# Cancelling a paid order


def placed(user, pay_method=OrderInfo.PayMethod.ALIPAY, stock=10, count=3):
    """An order of `count` units of a new SKU, placed for real (stock taken); returns (order, sku)."""
    sku = SKUFactory(stock=stock, sales=0)
    fill_cart(user, {sku.id: count})
    return place_order(user, AddressFactory(user=user), pay_method), sku


def paid_for_real(user, **kwargs):
    """A placed Alipay order, marked paid with its recorded trade; returns (order, sku, payment)."""
    order, sku = placed(user, **kwargs)
    assert mark_paid(order)
    payment = Payment.objects.create(order=order, trade_id=f"T{order.order_id}", amount=order.total_amount)
    return order, sku, payment


def test_the_member_cancels_a_paid_order_and_its_full_refund_is_queued(
    auth_client, user, django_capture_on_commit_callbacks
):
    order, sku, payment = paid_for_real(user)

    with django_capture_on_commit_callbacks() as queued:
        response = auth_client.put(f"/orders/{order.order_id}/cancel/")

    assert response.status_code == 200
    amount = f"{order.total_amount:.2f}"
    assert response.json() == {
        "order_id": order.order_id,
        "status": OrderInfo.Status.CANCELED,
        "refund": {"amount": amount, "status": Status.PENDING, "status_name": "待退款"},
    }
    assert len(queued) == 1
    sku.refresh_from_db()
    assert (sku.stock, sku.sales) == (10, 0)
    assert claimed(payment) == order.total_amount
    refund = Refund.objects.get(order=order)
    assert (refund.payment, refund.amount, refund.reason) == (payment, order.total_amount, "订单取消退款")
    assert list(order.status_changes.values_list("from_status", "to_status")) == [
        (OrderInfo.Status.UNPAID, OrderInfo.Status.UNSEND),
        (OrderInfo.Status.UNSEND, OrderInfo.Status.CANCELED),
    ]


def test_a_cash_on_delivery_order_waiting_for_shipment_is_cancelled_without_refund(auth_client, user):
    order, sku = placed(user, pay_method=OrderInfo.PayMethod.CASH)

    response = auth_client.put(f"/orders/{order.order_id}/cancel/")

    assert response.status_code == 200
    assert response.json() == {"order_id": order.order_id, "status": OrderInfo.Status.CANCELED, "refund": None}
    sku.refresh_from_db()
    assert sku.stock == 10
    assert not Refund.objects.exists()


def test_an_unpaid_order_is_cancelled_as_before_with_no_refund(auth_client, user):
    order, _ = placed(user)

    response = auth_client.put(f"/orders/{order.order_id}/cancel/")

    assert response.json() == {"order_id": order.order_id, "status": OrderInfo.Status.CANCELED, "refund": None}


def test_another_members_paid_order_is_not_found_and_stays(auth_client, other_user):
    order, sku, payment = paid_for_real(other_user)

    response = auth_client.put(f"/orders/{order.order_id}/cancel/")

    assert response.status_code == 404
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.UNSEND
    sku.refresh_from_db()
    assert sku.stock == 7
    assert claimed(payment) == 0
    assert not Refund.objects.exists()


@pytest.mark.parametrize("status", [OrderInfo.Status.UNRECEIVED, OrderInfo.Status.UNCOMMENT, OrderInfo.Status.CANCELED])
def test_a_shipped_received_or_cancelled_order_cannot_be_cancelled(auth_client, user, status):
    order, sku, payment = paid_for_real(user)
    OrderInfo.objects.filter(pk=order.pk).update(status=status)

    response = auth_client.put(f"/orders/{order.order_id}/cancel/")

    assert response.status_code == 400
    assert response.json()["message"] == "订单当前不能取消"
    sku.refresh_from_db()
    assert sku.stock == 7
    assert claimed(payment) == 0


def test_two_cancels_of_one_paid_order_make_one_refund(user):
    order, sku, payment = paid_for_real(user)
    cancel_paid_order(order)

    with pytest.raises(OrderStateError):
        cancel_paid_order(OrderInfo.objects.get(pk=order.pk))

    sku.refresh_from_db()
    assert sku.stock == 10
    assert Refund.objects.filter(order=order).count() == 1
    assert claimed(payment) == order.total_amount


def test_my_orders_show_each_orders_refunds_newest_first_in_a_fixed_number_of_queries(
    auth_client, paid, make_order, django_assert_max_num_queries
):
    order, payment = paid
    first = request_refund(order, payment, Decimal("10.00"), "部分退款")
    refund_succeeded(first, "G1", timezone.now())
    request_refund(order, payment, Decimal("20.00"), "部分退款")
    for _ in range(3):
        other = make_order(status=OrderInfo.Status.UNSEND)
        more = Payment.objects.create(order=other, trade_id=f"T{other.order_id}", amount=other.total_amount)
        request_refund(other, more, Decimal("5.00"), "部分退款")

    with django_assert_max_num_queries(8):
        response = auth_client.get("/orders/")

    listed = {o["order_id"]: o for o in response.json()["results"]}
    stored = Refund.objects.get(pk=first.pk)
    assert listed[order.order_id]["refunds"] == [
        {"amount": "20.00", "status": Status.PENDING, "status_name": "待退款", "refunded_time": None},
        {
            "amount": "10.00",
            "status": Status.SUCCEEDED,
            "status_name": "已退款",
            "refunded_time": timezone.localtime(stored.refunded_time).strftime("%Y-%m-%d %H:%M"),
        },
    ]


def test_an_operator_cancels_a_paid_order_from_its_page_with_its_refund(client, user, operator_of):
    order, sku, payment = paid_for_real(user)
    operator = operator_of("订单客服")
    client.force_login(operator)
    cancel_page = f"/admin/orders/orderinfo/{order.pk}/cancel/"

    assert "已支付的订单原路退回实付金额" in client.get(cancel_page).content.decode()
    response = client.post(cancel_page, follow=True)

    refund = Refund.objects.get(order=order)
    assert f"订单 {order.pk} 已取消，库存已退回，退款 ¥{order.total_amount:.2f} 已发起" in response.content.decode()
    assert (refund.amount, refund.operator) == (order.total_amount, operator)
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.CANCELED
    assert order.status_changes.last().operator == operator
    sku.refresh_from_db()
    assert sku.stock == 10
    again = client.post(cancel_page, follow=True)
    assert f"订单 {order.pk} 不是待支付或待发货状态，未取消" in again.content.decode()
    assert Refund.objects.filter(order=order).count() == 1


def test_without_cancel_order_a_paid_order_stays(client, user, operator_of):
    order, _, payment = paid_for_real(user)
    client.force_login(operator_of("数据分析"))

    client.post(f"/admin/orders/orderinfo/{order.pk}/cancel/")

    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.UNSEND
    assert claimed(payment) == 0
