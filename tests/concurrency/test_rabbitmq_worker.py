"""Celery on RabbitMQ (127.0.0.1:5672, guest/guest, as CI machines run it): a real worker process takes
the shop's tasks from it, and a late-acknowledged task survives the death of the worker running it."""

import pytest
from django.db import connection, transaction

from celery_tasks.orders.tasks import cancel_expired_orders
from celery_tasks.sms.tasks import send_sms_code
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.tests.fixtures import place_expired_unpaid_order
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend
from tests.concurrency.worker_process import RABBITMQ_URL, celery_worker, delete_queue, send, unique_queue


@pytest.fixture
def queue():
    name = unique_queue()
    yield name
    delete_queue(RABBITMQ_URL, name)


def test_worker_on_rabbitmq_sends_the_sms_code(queue, tmp_path):
    with celery_worker(tmp_path / "worker.log", broker_url=RABBITMQ_URL, queue=queue) as worker:
        send(send_sms_code, "13812345678", "246810", broker_url=RABBITMQ_URL, queue=queue)

        messages = worker.wait_for(RecordingSMSBackend.outbox, what="SMS")

        assert messages == [{"mobile": "13812345678", "code": "246810", "expires_minutes": 5}]
        log = worker.log()
        assert "Connected to amqp://guest:**@127.0.0.1:5672//" in log
        assert "Task send_sms_code[" in log


def lock_waits():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_cancel_task_is_redelivered_when_the_worker_dies_mid_task(queue, tmp_path):
    """acks_late: the broker keeps the message until the task has run, so a killed worker loses nothing."""
    order, sku = place_expired_unpaid_order()

    with transaction.atomic():
        # The row lock holds the task inside its UPDATE, mid-task, until the worker is killed.
        OrderInfo.objects.select_for_update().get(pk=order.pk)
        with celery_worker(tmp_path / "first.log", broker_url=RABBITMQ_URL, queue=queue) as first:
            send(cancel_expired_orders, broker_url=RABBITMQ_URL, queue=queue)
            first.wait_for(lock_waits, what="task waiting on the order's row lock")
            first.kill()
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.UNPAID

    with celery_worker(tmp_path / "second.log", broker_url=RABBITMQ_URL, queue=queue) as second:
        second.wait_for(
            lambda: OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.CANCELED,
            what="cancelled order",
        )
        assert "Task cancel_expired_orders[" in second.log()
    assert SKU.objects.get(pk=sku.pk).stock == 5
