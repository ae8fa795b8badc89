"""A real Celery worker process, found through the app's autodiscovery, cancels an expired unpaid order."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from celery_tasks.orders.tasks import cancel_expired_orders
from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.services import place_order
from tests.factories import AddressFactory, SKUFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_worker_process_cancels_an_expired_unpaid_order(real_worker):
    worker, log_path = real_worker
    sku = SKUFactory(stock=5)
    user = UserFactory()
    fill_cart(user, {sku.id: 2})
    order = place_order(user, AddressFactory(user=user), OrderInfo.PayMethod.ALIPAY)
    created = timezone.now() - timedelta(minutes=settings.UNPAID_ORDER_TIMEOUT_MINUTES + 1)
    OrderInfo.objects.filter(pk=order.pk).update(create_time=created)

    cancel_expired_orders.delay()

    deadline = time.monotonic() + 30
    while OrderInfo.objects.get(pk=order.pk).status != OrderInfo.Status.CANCELED:
        assert worker.poll() is None, log_path.read_text()
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)
    assert SKU.objects.get(pk=sku.pk).stock == 5
    assert "Task cancel_expired_orders[" in log_path.read_text()
