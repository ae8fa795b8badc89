"""Members posting addresses from several tabs at once never get past the limit of 20 live addresses."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from meiduo_mall.apps.users.address_services import ADDRESS_LIMIT
from meiduo_mall.apps.users.models import Address
from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import AddressFactory, UserFactory, area_chain

pytestmark = pytest.mark.django_db(transaction=True)

TABS = 6


def test_racing_posts_stop_at_the_limit(live_server):
    province, city, district = area_chain()
    user = UserFactory()
    AddressFactory.create_batch(ADDRESS_LIMIT - 2, user=user)
    headers = {"Authorization": f"JWT {issue_jwt(user)}"}
    body = {
        "receiver": "并发",
        "province_id": province.id,
        "city_id": city.id,
        "district_id": district.id,
        "place": "同一时刻",
        "mobile": "13700000000",
    }
    start = threading.Barrier(TABS)

    def post(_):
        start.wait()
        return requests.post(f"{live_server.url}/addresses/", json=body, headers=headers, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=TABS) as pool:
        statuses = sorted(pool.map(post, range(TABS)))

    assert statuses == [201, 201] + [400] * (TABS - 2)
    assert Address.objects.filter(user=user, is_deleted=False).count() == ADDRESS_LIMIT
