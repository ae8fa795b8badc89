"""Refunds sent through the built-in sandbox over HTTP (the real SDK, real RSA2 signatures): cancel, a partial
refund, a failure and its retry, a refund only a query confirms, a late payment sent back by itself."""

from decimal import Decimal

import pytest
from django.utils import timezone

from celery_tasks.payment.tasks import query_processing_refunds
from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.orders.models import OrderInfo, Refund
from meiduo_mall.apps.orders.services import cancel, mark_paid, place_order, request_refund, retry_refund
from meiduo_mall.apps.payment import services
from meiduo_mall.apps.payment.exceptions import PaymentNotApplicable, RefundUnconfirmed
from meiduo_mall.apps.payment.gateways.sandbox import plan_refund
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend
from tests.factories import AddressFactory, SKUFactory

pytestmark = pytest.mark.django_db

Status = Refund.Status


@pytest.fixture
def paid_order(user, sandbox_openapi):
    """Three units (stock 10) ordered by `user` and paid at the sandbox; returns (order, sku, payment)."""
    sku = SKUFactory(stock=10, sales=0, price=Decimal("30.00"))
    fill_cart(user, {sku.id: 3})
    order = place_order(user, AddressFactory(user=user), OrderInfo.PayMethod.ALIPAY)
    assert mark_paid(order)
    payment = Payment.objects.create(order=order, trade_id=f"2026{order.order_id}", amount=order.total_amount)
    sandbox_openapi.knows_paid(payment)
    return order, sku, payment


def stored(refund):
    return Refund.objects.get(pk=refund.pk)


def claimed(payment):
    payment.refresh_from_db()
    return payment.refunded_amount


def test_a_cancelled_paid_order_is_refunded_in_full_and_the_member_told(
    auth_client, user, paid_order, sandbox_openapi, django_capture_on_commit_callbacks
):
    order, sku, payment = paid_order

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.put(f"/orders/{order.order_id}/cancel/")

    assert response.status_code == 200
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.amount, refund.attempts) == (Status.SUCCEEDED, Decimal("100.00"), 1)
    assert refund.gateway_reference == payment.trade_id
    assert refund.refunded_time is not None
    assert sandbox_openapi.refunded_total(order.order_id) == Decimal("100.00")
    sku.refresh_from_db()
    assert (sku.stock, sku.sales) == (10, 0)
    assert [(n["mobile"], n["kind"], n["text"]) for n in RecordingSMSBackend.notices()] == [
        (user.mobile, "refund_succeeded", f"您的订单{order.order_id}退款¥100.00已原路退回，请注意查收。")
    ]
    shown = auth_client.get(f"/orders/{order.order_id}/").json()
    assert shown["status"] == OrderInfo.Status.CANCELED
    assert [(r["amount"], r["status_name"]) for r in shown["refunds"]] == [("100.00", "已退款")]


def test_a_partial_refund_sends_back_only_its_amount(paid_order, sandbox_openapi, django_capture_on_commit_callbacks):
    order, _, payment = paid_order

    with django_capture_on_commit_callbacks(execute=True):
        refund = request_refund(order, payment, Decimal("30.00"), "退货退款")

    assert stored(refund).status == Status.SUCCEEDED
    assert sandbox_openapi.refunded_total(order.order_id) == Decimal("30.00")
    assert claimed(payment) == Decimal("30.00")


def test_a_refund_retried_after_the_gateway_refused_it_pays_once(
    paid_order, sandbox_openapi, operator_of, django_capture_on_commit_callbacks
):
    order, _, payment = paid_order
    plan_refund(order.order_id, "fail")

    with django_capture_on_commit_callbacks(execute=True):
        refund = request_refund(order, payment, payment.amount, "订单取消退款")

    failed = stored(refund)
    assert (failed.status, failed.failure_reason) == (Status.FAILED, "卖家余额不足")
    assert claimed(payment) == 0
    assert sandbox_openapi.refunded_total(order.order_id) == 0
    assert RecordingSMSBackend.notices() == []

    with django_capture_on_commit_callbacks(execute=True):
        retry_refund(failed, operator_of("订单客服"))

    done = stored(refund)
    assert (done.status, done.attempts, done.out_request_no) == (Status.SUCCEEDED, 2, refund.out_request_no)
    assert sandbox_openapi.refunded_total(order.order_id) == Decimal("100.00")
    assert claimed(payment) == Decimal("100.00")
    assert Refund.objects.filter(order=order).count() == 1


def test_sending_a_settled_refund_again_does_nothing(paid_order, sandbox_openapi, django_capture_on_commit_callbacks):
    order, _, payment = paid_order
    with django_capture_on_commit_callbacks(execute=True):
        refund = request_refund(order, payment, Decimal("50.00"), "退款")

    assert services.send_refund(refund.pk) is None
    assert services.send_refund(0) is None
    assert stored(refund).attempts == 1
    assert sandbox_openapi.refunded_total(order.order_id) == Decimal("50.00")


def test_a_refund_the_gateway_answers_slowly_is_confirmed_by_the_beat_query(
    paid_order, sandbox_openapi, django_capture_on_commit_callbacks
):
    order, _, payment = paid_order
    plan_refund(order.order_id, "slow")

    with django_capture_on_commit_callbacks(execute=True):
        refund = request_refund(order, payment, payment.amount, "订单取消退款")

    assert stored(refund).status == Status.PROCESSING
    assert sandbox_openapi.refunded_total(order.order_id) == Decimal("100.00")

    with django_capture_on_commit_callbacks(execute=True):
        assert query_processing_refunds.delay().get() == 1

    done = stored(refund)
    assert (done.status, done.attempts) == (Status.SUCCEEDED, 1)
    assert sandbox_openapi.refunded_total(order.order_id) == Decimal("100.00")
    assert [n["kind"] for n in RecordingSMSBackend.notices()] == ["refund_succeeded"]
    assert query_processing_refunds.delay().get() == 0


def test_a_refund_the_gateway_never_received_is_sent_again_by_the_beat(paid_order, sandbox_openapi):
    order, _, payment = paid_order
    # Committed and marked 退款中, but the process died before the call reached the gateway.
    refund = request_refund(order, payment, Decimal("20.00"), "退款")
    Refund.objects.filter(pk=refund.pk).update(status=Status.PROCESSING, attempts=1)

    assert services.query_processing_refunds() == 1

    done = stored(refund)
    assert (done.status, done.attempts) == (Status.SUCCEEDED, 2)
    assert sandbox_openapi.refunded_total(order.order_id) == Decimal("20.00")


def test_a_pending_refund_whose_task_was_lost_is_sent_by_the_beat(paid_order, sandbox_openapi):
    order, _, payment = paid_order
    refund = request_refund(order, payment, Decimal("20.00"), "退款")
    assert services.query_processing_refunds() == 0
    Refund.objects.filter(pk=refund.pk).update(create_time=timezone.now() - services.PENDING_REFUND_RESEND_AFTER)

    assert services.query_processing_refunds() == 1

    assert stored(refund).status == Status.SUCCEEDED


def test_an_unreachable_gateway_leaves_the_refund_processing_for_the_query(paid_order, settings):
    order, _, payment = paid_order
    working = settings.SANDBOX_OPENAPI_URL
    settings.SANDBOX_OPENAPI_URL = "http://127.0.0.1:9/payment/sandbox/gateway.do"

    refund = request_refund(order, payment, payment.amount, "退款")

    # The task retries this with backoff, then leaves the refund to the beat's query.
    with pytest.raises(RefundUnconfirmed):
        services.send_refund(refund.pk)

    assert (stored(refund).status, stored(refund).attempts) == (Status.PROCESSING, 1)
    assert services.query_processing_refunds() == 0
    settings.SANDBOX_OPENAPI_URL = working

    assert services.query_processing_refunds() == 1
    assert stored(refund).status == Status.SUCCEEDED


def test_a_payment_reaching_a_cancelled_order_is_sent_back_by_itself(
    user, sandbox_openapi, django_capture_on_commit_callbacks
):
    sku = SKUFactory(stock=10)
    fill_cart(user, {sku.id: 1})
    order = place_order(user, AddressFactory(user=user), OrderInfo.PayMethod.ALIPAY)
    assert cancel(order)
    trade = services.AlipayTrade(order=OrderInfo.objects.get(pk=order.pk), trade_no="2026120122009")
    sandbox_openapi.knows_paid(Payment(order_id=order.order_id, trade_id=trade.trade_no, amount=order.total_amount))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PaymentNotApplicable):
        services.record_payment(trade)

    payment = Payment.objects.get(trade_id=trade.trade_no)
    refund = Refund.objects.get(payment=payment)
    assert (refund.status, refund.amount) == (Status.SUCCEEDED, order.total_amount)
    assert not payment.refund_needed
    assert sandbox_openapi.refunded_total(order.order_id) == order.total_amount
