"""Orders made directly (tests.factories.OrderFactory): `make_order(owner=None, *, total=..., **fields)`, `order`."""

from decimal import Decimal

import pytest

from tests.factories import OrderFactory


@pytest.fixture
def make_order(user, address):
    """Orders of `user` (or `owner`) to `address`, unpaid by Alipay unless `fields` say otherwise."""

    def make(owner=None, *, total="110.00", **fields):
        return OrderFactory(user=owner or user, address=address, total_amount=Decimal(total), **fields)

    return make


@pytest.fixture
def order(make_order):
    return make_order()
