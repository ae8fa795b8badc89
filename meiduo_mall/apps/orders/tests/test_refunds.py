"""The refund rules of orders.services: what a payment's refunds may claim, and each refund's status moves."""

from decimal import Decimal

import pytest
from django.utils import timezone

from meiduo_mall.apps.orders.exceptions import OrderError, RefundExceedsPayment, RefundStateError
from meiduo_mall.apps.orders.models import OrderInfo, Refund
from meiduo_mall.apps.orders.services import (
    confirm_receipt,
    refund_failed,
    refund_processing,
    refund_succeeded,
    request_refund,
    retry_refund,
)
from meiduo_mall.apps.payment.models import Payment

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
