"""What every test shares: Redis isolation, the replica guard, the built pages, an API client, mail, the
FastDFS stand-in and a real Celery worker. Each app's fixtures live in its tests/fixtures.py, registered below.

Tests talk to real MariaDB and Redis (see scripts/services.sh); nothing of ours is mocked.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django_redis import get_redis_connection
from redis import Redis
from rest_framework.test import APIClient

from celery_tasks.main import celery_app

pytest_plugins = [
    "meiduo_mall.apps.users.tests.fixtures",
    "meiduo_mall.apps.areas.tests.fixtures",
    "meiduo_mall.apps.goods.tests.fixtures",
    "meiduo_mall.apps.carts.tests.fixtures",
    "meiduo_mall.apps.orders.tests.fixtures",
    "meiduo_mall.apps.coupons.tests.fixtures",
    "meiduo_mall.apps.payment.tests.fixtures",
    "meiduo_mall.apps.oauth.tests.fixtures",
    "tests.browser.fixtures",
    "tests.faults.redis_server",
]

ROOT = Path(__file__).resolve().parent
CELERY = Path(sys.executable).with_name("celery")
REDIS_ALIASES = ("default", "session", "verify_codes", "history", "cart")


@pytest.fixture(scope="session", autouse=True)
def shop_pages():
    """The shop's pages built into front_end_pc/ from the templates of this checkout, as `make test` does."""
    from django.conf import settings

    from meiduo_mall.apps.contents.shop_pages import build_shop_pages

    build_shop_pages(settings.FRONT_END_DIR)


@pytest.fixture(autouse=True)
def clean_redis():
    """Every test starts with empty Redis databases."""
    for alias in REDIS_ALIASES:
        get_redis_connection(alias).flushdb()
    yield


@pytest.fixture(autouse=True)
def fresh_coupon_scopes():
    """Every test starts with no coupon scope cached in this process, so its query counts are its own."""
    from meiduo_mall.apps.coupons.scopes import forget_scopes

    forget_scopes()


@pytest.fixture(autouse=True)
def replica_guard():
    """Fails a test in which the replica served a query outside replica_reads() or for an endpoint
    that is not opted in (tests/replica/guard.py)."""
    from django.conf import settings

    if "replica" not in settings.DATABASES:
        yield None
        return
    from tests.replica.guard import ReplicaQueryLog

    with ReplicaQueryLog().recording() as log:
        yield log
    if violations := log.violations():
        pytest.fail("replica read without opting in:\n" + "\n".join(violations))


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on 127.0.0.1 and a free port, for the whole session."""
    from tests.fakes.smtp_server import Mailbox, running_smtp_server

    with running_smtp_server(Mailbox()) as server:
        yield server


@pytest.fixture
def mailbox(smtp_server, settings):
    """An empty mailbox; Django's SMTP backend delivers to the loopback server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.hostname
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    smtp_server.handler.messages.clear()
    return smtp_server.handler


@pytest.fixture
def fake_fastdfs(settings):
    """FastDFS (tracker, storage server, nginx) played by local servers; the default storage is FastDFS on them.

    Changing STORAGES resets django.core.files.storage.default_storage (Django's setting_changed receiver).
    """
    from tests.fakes.fastdfs_server import FakeFastDFS

    server = FakeFastDFS().start()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "meiduo_mall.utils.fastdfs.storage.FastDFSStorage"},
    }
    settings.FDFS_TRACKER_SERVERS = [server.tracker_address]
    settings.FDFS_BASE_URL = server.base_url
    yield server
    server.stop()


@pytest.fixture
def real_worker(settings, tmp_path):
    """A real Celery worker process (solo) on the test's Redis broker.

    While it runs, the test process queues tasks instead of running them eagerly.
    """
    Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    log = (tmp_path / "worker.log").open("wb")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "meiduo_mall.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": settings.REDIS_URL,
        "DB_NAME": settings.DATABASES["default"]["NAME"],
    }
    worker = subprocess.Popen(
        [
            str(CELERY),
            "-A",
            "celery_tasks.main",
            "worker",
            "-P",
            "solo",
            "-c",
            "1",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    try:
        yield worker, tmp_path / "worker.log"
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
