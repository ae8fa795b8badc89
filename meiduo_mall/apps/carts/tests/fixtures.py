"""Carts in tests: `shopper` (a guest and a member), `skus`, `count_round_trips`, and a member's cart
written and read through the carts app itself (`fill_cart`, `cart_of`), whatever layout its store keeps."""

import pytest
from django_redis import get_redis_connection
from rest_framework.test import APIClient

from meiduo_mall.apps.carts.services import cart_store_for
from meiduo_mall.apps.carts.stores import CartLine
from meiduo_mall.apps.users.tests.fixtures import jwt_client
from tests.factories import SKUFactory, UserFactory


def fill_cart(user, counts, unselected=()):
    """counts: {sku_id: count}, written in the given order; ids in `unselected` stay unticked."""
    lines = [CartLine(sku_id, count, sku_id not in unselected) for sku_id, count in counts.items()]
    cart_store_for(user).replace(lines)


def cart_of(user):
    """({sku_id: count}, {selected sku_id}) of the member's cart."""
    lines = cart_store_for(user).lines()
    return {line.sku_id: line.count for line in lines}, {line.sku_id for line in lines if line.selected}


@pytest.fixture(params=["guest", "member"])
def shopper(request, db):
    """The same API tests run against both stores: a guest (cookie cart) and a member (Redis cart)."""
    if request.param == "guest":
        client = APIClient()
        # What the pages send when nobody is logged in.
        client.credentials(HTTP_AUTHORIZATION="JWT undefined")
    else:
        client = jwt_client(UserFactory())
    client.kind = request.param
    return client


@pytest.fixture
def skus(db):
    return [SKUFactory(price=f"{10 * n}.00", stock=20) for n in (1, 2, 3)]


@pytest.fixture
def count_round_trips():
    """Count the requests each Redis alias sends: one send of packed commands is one round trip.

    The pools' connections are swapped for a subclass of redis-py's own connection class that
    counts what it sends; nothing of ours is replaced.
    """
    trips = {}
    pools = {}
    for alias in ("cart", "default"):
        pool = get_redis_connection(alias).connection_pool
        base = pool.connection_class

        def send_packed_command(self, command, check_health=True, alias=alias, base=base):
            trips[alias] = trips.get(alias, 0) + 1
            return base.send_packed_command(self, command, check_health)

        pools[alias] = (pool, base)
        pool.connection_class = type(f"Counting{base.__name__}", (base,), {"send_packed_command": send_packed_command})
        pool.disconnect()
        pool.reset()
        # Connecting sends its own commands (SELECT, CLIENT SETINFO); only what follows counts.
        get_redis_connection(alias).ping()
    trips.clear()
    yield trips
    for pool, base in pools.values():
        pool.connection_class = base
        pool.disconnect()
        pool.reset()
