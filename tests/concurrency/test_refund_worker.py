"""A real Celery worker process sends a refund through the sandbox's openapi and tells the member by SMS."""

import time
from decimal import Decimal

import pytest

from meiduo_mall.apps.orders.models import OrderInfo, Refund
from meiduo_mall.apps.orders.services import request_refund
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_reaches_the_sandbox(sandbox_openapi, monkeypatch):
    """The worker started after this reads the sandbox's loopback address from its environment."""
    monkeypatch.setenv("SANDBOX_OPENAPI_URL", sandbox_openapi.url)
    return sandbox_openapi


def wait_for(condition, worker, log_path, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        assert worker.poll() is None, log_path.read_text()
        time.sleep(0.2)
    return False


def test_the_worker_sends_a_requested_refund_once_and_the_member_is_told(worker_reaches_the_sandbox, real_worker):
    order = OrderFactory(user=UserFactory(), status=OrderInfo.Status.UNSEND, total_amount=Decimal("110.00"))
    payment = Payment.objects.create(order=order, trade_id=f"2026{order.order_id}", amount=order.total_amount)
    worker_reaches_the_sandbox.knows_paid(payment)

    refund = request_refund(order, payment, Decimal("110.00"), "订单取消退款")

    def succeeded():
        return Refund.objects.filter(pk=refund.pk, status=Refund.Status.SUCCEEDED).exists()

    assert wait_for(succeeded, *real_worker), real_worker[1].read_text()
    assert wait_for(RecordingSMSBackend.notices, *real_worker)
    notices = [(n["mobile"], n["kind"]) for n in RecordingSMSBackend.notices()]
    assert notices == [(order.user.mobile, "refund_succeeded")]
    assert worker_reaches_the_sandbox.refunded_total(order.order_id) == Decimal("110.00")
    assert Refund.objects.get(pk=refund.pk).attempts == 1
    assert "Task send_refund[" in real_worker[1].read_text()
