"""Refunds of the same money at once, on real threads against MariaDB: the payment's row decides, and its
refunds never claim more than it took."""

from decimal import Decimal

import pytest

from meiduo_mall.apps.orders.exceptions import RefundExceedsPayment, RefundStateError
from meiduo_mall.apps.orders.models import OrderInfo, Refund
from meiduo_mall.apps.orders.services import refund_claiming, refund_failed, request_refund, retry_refund
from meiduo_mall.apps.payment.models import Payment
from tests.factories import OrderFactory, UserFactory
from tests.races import all_at_once, rival_beside

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


@pytest.fixture
def paid(settings):
    # Nothing listens there: the refunds stay requested, what these tests count is their claims.
    settings.SANDBOX_OPENAPI_URL = "http://127.0.0.1:9/payment/sandbox/gateway.do"
    order = OrderFactory(user=UserFactory(), status=OrderInfo.Status.UNSEND, total_amount=Decimal("110.00"))
    payment = Payment.objects.create(order=order, trade_id=f"T{order.order_id}", amount=order.total_amount)
    return order, payment


def claimed(payment):
    payment.refresh_from_db()
    return payment.refunded_amount


def test_a_second_refund_of_the_remaining_money_at_the_claim_point_is_refused(paid):
    order, payment = paid
    request_refund(order, payment, Decimal("60.00"), "部分退款")

    with rival_beside(refund_claiming, lambda: request_refund(order, payment, Decimal("50.00"), "另一位客服")) as rival:
        with pytest.raises(RefundExceedsPayment):
            request_refund(order, payment, Decimal("50.00"), "客服")

    assert isinstance(rival.results[0], Refund)
    assert claimed(payment) == Decimal("110.00")
    assert sorted(Refund.objects.values_list("amount", flat=True)) == [Decimal("50.00"), Decimal("60.00")]


def test_many_refunds_of_the_whole_payment_at_once_make_one(paid):
    order, payment = paid

    results = all_at_once([lambda: request_refund(order, payment, Decimal("110.00"), "退款")] * THREADS)

    made = [r for r in results if isinstance(r, Refund)]
    assert len(made) == 1, results
    assert all(isinstance(r, RefundExceedsPayment) for r in results if r not in made), results
    assert claimed(payment) == Decimal("110.00")
    assert list(Refund.objects.values_list("out_request_no", flat=True)) == [f"{order.order_id}R01"]


def test_small_refunds_at_once_stop_exactly_at_the_paid_amount(paid):
    order, payment = paid

    results = all_at_once([lambda: request_refund(order, payment, Decimal("30.00"), "退款")] * THREADS)

    assert sum(isinstance(r, Refund) for r in results) == 3, results
    assert claimed(payment) == Decimal("90.00")
    numbers = sorted(Refund.objects.values_list("out_request_no", flat=True))
    assert numbers == [f"{order.order_id}R{n:02d}" for n in (1, 2, 3)]


def test_two_operators_retrying_one_failed_refund_send_it_once(paid):
    order, payment = paid
    refund = request_refund(order, payment, Decimal("110.00"), "退款")
    Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.PROCESSING)
    refund_failed(refund, "卖家余额不足")

    results = all_at_once([lambda: retry_refund(Refund.objects.get(pk=refund.pk))] * THREADS)

    assert sum(isinstance(r, Refund) for r in results) == 1, results
    assert all(isinstance(r, (Refund, RefundStateError)) for r in results), results
    assert claimed(payment) == Decimal("110.00")
