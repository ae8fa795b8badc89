"""MariaDB stopped, restarted and stalled under a running shop (uwsgi in a subprocess, its primary a throwaway
mariadbd): the API answers 503 {"message": "服务暂不可用"} within the database timeouts, /health/ready/ answers
503, and once the server is back the same requests succeed without restarting the shop (CONN_HEALTH_CHECKS
replaces the pooled connection the outage broke)."""

import subprocess
import sys
import time

import pytest

from tests.faults.mariadb_server import ROOT, MariaDBServer, migrate_env
from tests.faults.shop_process import shop_server

DATABASE = "meiduo_faults"
CONNECT_TIMEOUT = 2
READ_TIMEOUT = 3
# Each needs the database and nothing cached: the username and mobile checks of registration (C1, C2).
REQUESTS = ["/usernames/fault_tester/count/", "/mobiles/13800000009/count/"]
UNAVAILABLE = {"message": "服务暂不可用"}
MEMBER = {"username": "fault_member", "password": "fault-pass-123"}


@pytest.fixture(scope="module")
def mariadb(tmp_path_factory):
    server = MariaDBServer(tmp_path_factory.mktemp("mariadb"))
    try:
        server.start()
        server.create_database(DATABASE)
        server.migrate(DATABASE, migrate_env(server, DATABASE))
        subprocess.run(
            [sys.executable, "manage.py", "createsuperuser", "--noinput", "--username", MEMBER["username"],
             "--email", "fault_member@meiduo.site"],
            cwd=ROOT, env={**migrate_env(server, DATABASE), "DJANGO_SUPERUSER_PASSWORD": MEMBER["password"]},
            check=True, capture_output=True,
        )  # fmt: skip
        yield server
    finally:
        server.remove()


@pytest.fixture
def shop(mariadb, tmp_path):
    if mariadb.process.poll() is not None:
        mariadb.start()
    environment = {
        **mariadb.environment(DATABASE),
        "DB_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        "DB_READ_TIMEOUT": str(READ_TIMEOUT),
        "DB_WRITE_TIMEOUT": str(READ_TIMEOUT),
    }
    with shop_server(tmp_path / "uwsgi.log", **environment) as shop:
        yield shop
    mariadb.resume()


def member_token(shop):
    response, _ = shop.request("POST", "/authorizations/", json=MEMBER)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def assert_all_answer(shop, status, token):
    """Every request (a login and a member's addresses among them) and /health/ready/ answer `status`; the
    longest wait in seconds."""
    slowest = 0.0
    calls = [("GET", path, {}) for path in REQUESTS]
    calls += [("POST", "/authorizations/", {"json": MEMBER})]
    calls += [("GET", "/addresses/", {"headers": {"Authorization": f"JWT {token}"}})]
    for method, path, options in calls:
        response, seconds = shop.request(method, path, **options)
        assert response.status_code == status, (path, response.text, shop.log()[-3000:])
        assert response.headers["Content-Type"] == "application/json"
        if status == 503:
            assert response.json() == UNAVAILABLE
        slowest = max(slowest, seconds)
    response, seconds = shop.get("/health/ready/")
    assert response.status_code == status, response.text
    assert (response.json()["database"] == "ok") == (status == 200)
    return max(slowest, seconds)


def first_success(shop, seconds=30):
    """Seconds from now until the first request answers 200."""
    started = time.monotonic()
    while True:
        response, _ = shop.get(REQUESTS[0])
        if response.status_code == 200:
            return time.monotonic() - started
        assert time.monotonic() - started < seconds, response.text
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_mariadb_stopped_answers_503_and_recovers_after_restart_without_restarting_the_shop(mariadb, shop):
    token = member_token(shop)
    assert_all_answer(shop, 200, token)

    mariadb.stop()
    down_seconds = assert_all_answer(shop, 503, token)

    mariadb.start()
    recovery_seconds = first_success(shop)
    assert_all_answer(shop, 200, token)
    print(f"\nMariaDB stopped: slowest 503 {down_seconds:.2f} s; first 200 {recovery_seconds:.2f} s after restart")


@pytest.mark.django_db(transaction=True)
def test_mariadb_stalled_answers_503_within_the_timeouts_and_recovers(mariadb, shop):
    token = member_token(shop)
    assert_all_answer(shop, 200, token)

    mariadb.pause()
    # The requests' own timeout (30 s) fails a request the database timeouts did not bound.
    stalled_seconds = assert_all_answer(shop, 503, token)

    mariadb.resume()
    recovery_seconds = first_success(shop)
    assert_all_answer(shop, 200, token)
    print(f"\nMariaDB stalled: slowest 503 {stalled_seconds:.2f} s; first 200 {recovery_seconds:.2f} s after SIGCONT")
