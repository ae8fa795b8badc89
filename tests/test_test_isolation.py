"""Tests never touch data they did not create: unless REDIS_URL names one, the suite runs on a Redis of its own
(tests/own_redis.py), so the keys of a developer's Redis on 6379 survive `make test`.

The runs without REDIS_URL are child pytest runs: the environment of this one may name a Redis.
"""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django_redis import get_redis_connection
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from tests import own_redis

ROOT = Path(__file__).resolve().parent.parent
DEVELOPER_PORT = 6379
OWN_HEADER = re.compile(r"^redis: (redis://127\.0\.0\.1:(\d+)) in (\S+), the suite's own", re.MULTILINE)
IN_SUITE_TEST = f"{Path(__file__).relative_to(ROOT)}::test_the_suite_redis_is_its_own_unless_redis_url_names_one"


def run_pytest(*args, env):
    """A child pytest run from the checkout's root with this checkout's pytest settings."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-c", "pyproject.toml", "--rootdir", ".", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def environment_without_redis():
    return {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "CELERY_BROKER_URL")}


@pytest.fixture
def developer_redis(tmp_path):
    """The Redis a developer runs on 6379: the one there (only this test's own key is written and deleted),
    else one started for this test, as on a CI machine that runs none."""
    client = Redis(port=DEVELOPER_PORT, socket_timeout=5)
    try:
        client.ping()
    except RedisConnectionError:
        server = own_redis.RedisServer(DEVELOPER_PORT, tmp_path).start()
        try:
            yield client
        finally:
            server.stop()
    else:
        yield client


def test_the_suite_redis_is_its_own_unless_redis_url_names_one(request, settings):
    server = request.config.stash.get(own_redis.SERVER_KEY, None)
    if server is None:
        assert settings.REDIS_URL == os.environ["REDIS_URL"]
        return
    assert settings.REDIS_URL == os.environ["REDIS_URL"] == server.url
    assert urlsplit(server.url).port != DEVELOPER_PORT
    for alias in settings.CACHES:
        assert get_redis_connection(alias).connection_pool.connection_kwargs["port"] == server.port
    if "CELERY_BROKER_URL" not in os.environ:
        assert settings.CELERY_BROKER_URL == f"{server.url}/14"
    client = Redis.from_url(server.url)
    assert client.info("server")["process_id"] == server.process.pid
    assert client.config_get("dir")["dir"] == str(server.directory)
    assert client.config_get("save")["save"] == ""
    assert client.config_get("appendonly")["appendonly"] == "no"


def test_a_run_without_redis_url_keeps_the_developer_keys_and_stops_its_redis_after_a_failure(
    developer_redis, tmp_path
):
    key = f"meiduo:test-isolation:{uuid.uuid4().hex}"
    failing = tmp_path / "test_fails.py"
    failing.write_text("def test_fails_on_purpose():\n    assert False\n")
    developer_redis.set(key, "a developer's", ex=600)
    try:
        result = run_pytest(IN_SUITE_TEST, str(failing), env=environment_without_redis())
        assert developer_redis.get(key) == b"a developer's"
    finally:
        developer_redis.delete(key)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout
    url, port, directory = OWN_HEADER.search(result.stdout).groups()
    assert int(port) != DEVELOPER_PORT
    assert not Path(directory).exists()
    with pytest.raises(RedisConnectionError):
        Redis.from_url(url, socket_timeout=2).ping()


def test_a_run_with_redis_url_uses_that_redis(settings):
    result = run_pytest(IN_SUITE_TEST, env={**environment_without_redis(), "REDIS_URL": settings.REDIS_URL})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "redis: REDIS_URL from the environment" in result.stdout
    assert OWN_HEADER.search(result.stdout) is None
