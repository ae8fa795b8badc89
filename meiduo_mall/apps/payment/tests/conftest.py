import itertools
import logging
from decimal import Decimal

import pytest
from django.utils import timezone

from meiduo_mall.apps.orders.models import OrderInfo

_order_numbers = itertools.count(1)


@pytest.fixture
def make_order(user, address):
    """An order as placement leaves it; only the columns payment reads matter here."""

    def make(owner=None, *, status=OrderInfo.Status.UNPAID, pay_method=OrderInfo.PayMethod.ALIPAY, total="110.00"):
        owner = owner or user
        order_id = f"{timezone.localtime():%Y%m%d%H%M%S}{owner.id:07d}{next(_order_numbers):02d}"
        return OrderInfo.objects.create(
            order_id=order_id,
            user=owner,
            address=address,
            total_count=1,
            total_amount=Decimal(total),
            freight=Decimal("10.00"),
            pay_method=pay_method,
            status=status,
        )

    return make


@pytest.fixture
def order(make_order):
    return make_order()


@pytest.fixture
def payment_log(caplog):
    """Records of the `meiduo` loggers (they do not propagate to the root logger pytest watches)."""
    shop_logger = logging.getLogger("meiduo")
    shop_logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="meiduo")
    yield caplog
    shop_logger.removeHandler(caplog.handler)
