"""A real Celery worker process, found through the app's autodiscovery, cancels an expired unpaid order."""

import time

import pytest

from celery_tasks.orders.tasks import cancel_expired_orders
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.tests.fixtures import place_expired_unpaid_order


@pytest.mark.django_db(transaction=True)
def test_worker_process_cancels_an_expired_unpaid_order(real_worker):
    worker, log_path = real_worker
    order, sku = place_expired_unpaid_order()

    cancel_expired_orders.delay()

    deadline = time.monotonic() + 30
    while OrderInfo.objects.get(pk=order.pk).status != OrderInfo.Status.CANCELED:
        assert worker.poll() is None, log_path.read_text()
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)
    assert SKU.objects.get(pk=sku.pk).stock == 5
    assert "Task cancel_expired_orders[" in log_path.read_text()
