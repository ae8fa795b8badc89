"""A Celery worker SIGKILLed in the middle of a late-acknowledged task (cancel_expired_orders, acks_late and
reject_on_worker_lost) on the Redis broker: the message stays unacknowledged, the broker gives it to a new worker
once CELERY_VISIBILITY_TIMEOUT has passed, and the task's second run finishes the work without doing again what
the first run had done (each order moves 1 → 6 by one conditional UPDATE, so its stock comes back once).

The kill lands at a known point: worker_hooks.py pauses the first worker as it is about to cancel the second
expired order, after the first one was cancelled and committed."""

import re

import pytest
from django.conf import settings

from celery_tasks.orders.tasks import cancel_expired_orders
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.tests.fixtures import place_expired_unpaid_order
from tests.concurrency.worker_process import celery_worker, delete_queue, send, unique_queue

VISIBILITY_TIMEOUT = 2
TASK_ID = re.compile(r"Task cancel_expired_orders\[([0-9a-f-]+)\] received")


@pytest.fixture
def queue():
    name = unique_queue()
    yield name
    delete_queue(settings.CELERY_BROKER_URL, name)


def worker_environment(**extra):
    return {
        "DJANGO_SETTINGS_MODULE": "tests.faults.fault_settings",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        **extra,
    }


def state(order, sku):
    return OrderInfo.objects.get(pk=order.pk).status, SKU.objects.get(pk=sku.pk).stock


@pytest.mark.django_db(transaction=True)
def test_a_task_killed_mid_run_is_run_again_by_a_new_worker_and_does_nothing_twice(queue, tmp_path):
    placed = dict(place_expired_unpaid_order() for _ in range(2))
    marker = tmp_path / "paused"
    broker = settings.CELERY_BROKER_URL
    pause = worker_environment(MEIDUO_FAULT_PAUSE_CANCEL=f"2:{marker}")

    with celery_worker(tmp_path / "first.log", broker_url=broker, queue=queue, extra_env=pause) as first:
        send(cancel_expired_orders, broker_url=broker, queue=queue)
        first.wait_for(marker.exists, what="the task paused before its second order")
        first.kill()
    [task_id] = TASK_ID.findall(first.log())
    paused = OrderInfo.objects.get(pk=marker.read_text())
    [(done, done_sku)] = [(order, sku) for order, sku in placed.items() if order.pk != paused.pk]
    assert state(done, done_sku) == (OrderInfo.Status.CANCELED, 5)
    assert state(paused, placed[paused]) == (OrderInfo.Status.UNPAID, 3)

    again = worker_environment()
    with celery_worker(tmp_path / "second.log", broker_url=broker, queue=queue, extra_env=again) as second:
        second.wait_for(lambda: state(paused, placed[paused])[0] == OrderInfo.Status.CANCELED, what="second order")
        second.wait_for(lambda: f"Task cancel_expired_orders[{task_id}] succeeded" in second.log(), what="success")

    assert TASK_ID.findall(second.log()) == [task_id]
    assert state(paused, placed[paused]) == (OrderInfo.Status.CANCELED, 5)
    assert state(done, done_sku) == (OrderInfo.Status.CANCELED, 5)
