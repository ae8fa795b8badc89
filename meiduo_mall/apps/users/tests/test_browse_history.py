"""C4/C5: browse history in Redis, newest first, five kept."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_redis import get_redis_connection

from meiduo_mall.apps.users.tests.fixtures import jwt_client
from tests.factories import GoodsFactory, SKUFactory

pytestmark = pytest.mark.django_db

URL = "/browse_histories/"


@pytest.fixture
def catalog():
    goods = GoodsFactory()
    return SKUFactory.create_batch(7, goods=goods)


def test_history_needs_a_login(api_client, sku):
    assert api_client.post(URL, {"sku_id": sku.id}, format="json").status_code == 401
    assert api_client.get(URL).status_code == 401
    forged = api_client
    forged.credentials(HTTP_AUTHORIZATION="JWT not.a.token")
    assert forged.post(URL, {"sku_id": sku.id}, format="json").status_code == 401


def test_visits_come_back_newest_first_without_repeats(auth_client, user, catalog):
    for sku in (catalog[0], catalog[1], catalog[0]):
        response = auth_client.post(URL, {"sku_id": sku.id}, format="json")
        assert response.status_code == 201
        assert response.json() == {"sku_id": sku.id}
    body = auth_client.get(URL).json()
    assert [row["id"] for row in body] == [catalog[0].id, catalog[1].id]
    assert set(body[0]) == {"id", "name", "price", "default_image_url", "comments"}
    assert get_redis_connection("history").lrange(f"history_{user.id}", 0, -1) == [
        str(catalog[0].id).encode(),
        str(catalog[1].id).encode(),
    ]


def test_only_the_last_five_are_kept_and_read_with_one_query(auth_client, user, catalog):
    for sku in catalog:
        auth_client.post(URL, {"sku_id": sku.id}, format="json")
    auth_client.get(URL)  # the member is cached by the authentication after the first request
    with CaptureQueriesContext(connection) as queries:
        body = auth_client.get(URL).json()
    assert [row["id"] for row in body] == [sku.id for sku in reversed(catalog[2:])]
    assert len([q for q in queries if "tb_sku" in q["sql"]]) == 1


@pytest.mark.parametrize("payload", [{}, {"sku_id": "abc"}, {"sku_id": 987654}, {"sku_id": -1}, {"sku_id": 10**30}])
def test_bad_or_unknown_skus_are_400_and_change_nothing(auth_client, user, payload):
    response = auth_client.post(URL, payload, format="json")
    assert response.status_code == 400
    assert "sku_id" in response.json()
    assert get_redis_connection("history").llen(f"history_{user.id}") == 0


def test_unlaunched_skus_are_refused_and_hidden(auth_client, catalog):
    hidden = SKUFactory(is_launched=False)
    assert auth_client.post(URL, {"sku_id": hidden.id}, format="json").status_code == 400
    auth_client.post(URL, {"sku_id": catalog[0].id}, format="json")
    catalog[0].is_launched = False
    catalog[0].save()
    assert auth_client.get(URL).json() == []


def test_members_see_only_their_own_history(auth_client, other_user, catalog):
    auth_client.post(URL, {"sku_id": catalog[0].id}, format="json")
    assert jwt_client(other_user).get(URL).json() == []
