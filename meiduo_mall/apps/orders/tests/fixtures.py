"""Orders made directly (tests.factories.OrderFactory): `make_order(owner=None, *, total=..., **fields)`, `order`;
and `place_expired_unpaid_order()`, an order placed for real that the timeout should cancel."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.services import place_order
from tests.factories import AddressFactory, OrderFactory, SKUFactory, UserFactory


@pytest.fixture
def make_order(user, address):
    """Orders of `user` (or `owner`) to `address`, unpaid by Alipay unless `fields` say otherwise."""

    def make(owner=None, *, total="110.00", **fields):
        return OrderFactory(user=owner or user, address=address, total_amount=Decimal(total), **fields)

    return make


@pytest.fixture
def order(make_order):
    return make_order()


def place_expired_unpaid_order():
    """Two of an SKU (stock 5) ordered with Alipay by a new member, placed past the payment deadline;
    returns (order, sku)."""
    sku = SKUFactory(stock=5)
    user = UserFactory()
    fill_cart(user, {sku.id: 2})
    order = place_order(user, AddressFactory(user=user), OrderInfo.PayMethod.ALIPAY)
    created = timezone.now() - timedelta(minutes=settings.UNPAID_ORDER_TIMEOUT_MINUTES + 1)
    OrderInfo.objects.filter(pk=order.pk).update(create_time=created)
    return order, sku
