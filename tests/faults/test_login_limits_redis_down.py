"""The login limits with Redis stopped: they keep their counters in MariaDB (django-axes), so a stranger is still
held back and the owner still logs in."""

import pytest

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def log_in(api_client, username, password, ip):
    return api_client.post(
        "/authorizations/", {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def test_the_limits_hold_without_redis(shop_redis, user, api_client):
    shop_redis.stop()

    statuses = [log_in(api_client, user.mobile, "wrong-password", "203.0.113.9").status_code for _ in range(6)]
    stranger = log_in(api_client, user.username, DEFAULT_PASSWORD, "203.0.113.9")
    owner = log_in(api_client, user.username, DEFAULT_PASSWORD, "198.51.100.7")

    assert statuses == [400, 400, 400, 400, 429, 429]
    assert stranger.status_code == 429 and int(stranger["Retry-After"]) > 0
    assert owner.status_code == 200
