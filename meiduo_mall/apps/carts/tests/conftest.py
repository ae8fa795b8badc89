import pytest
from django_redis import get_redis_connection
from rest_framework.test import APIClient

from conftest import jwt_client
from tests.factories import SKUFactory, UserFactory


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
