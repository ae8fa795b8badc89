"""Fixtures shared by every test: API clients, users, Redis isolation, and Chromium.

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
from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import UserFactory

# Django's live server runs beside Playwright's sync API, which keeps an event loop open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent
CELERY = Path(sys.executable).with_name("celery")
REDIS_ALIASES = ("default", "session", "verify_codes", "history", "cart")
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


def jwt_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {issue_jwt(user)}")
    return client


@pytest.fixture
def auth_client(user):
    """An API client logged in as `user`."""
    return jwt_client(user)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do: a busy CI machine is slower than a laptop.
    expect.set_options(timeout=10_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser context on the live server; `page.goto("/login.html")` works."""
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    browser_page = context.new_page()
    yield browser_page
    context.close()


def log_in_page(page, user):
    """Put a member's token where the pages look for it (localStorage), as login.html does."""
    page.goto("/login.html")
    page.evaluate(
        "([token, id, name]) => {"
        " localStorage.token = token; localStorage.user_id = id; localStorage.username = name; }",
        [issue_jwt(user), str(user.id), user.username],
    )


@pytest.fixture
def sku(db):
    """One launched SKU (price 100.00, stock 10) in its own category chain."""
    from tests.factories import SKUFactory

    return SKUFactory()


@pytest.fixture
def address(user):
    from tests.factories import AddressFactory

    return AddressFactory(user=user)


@pytest.fixture
def areas(db):
    """The national area table (about 3,400 rows) loaded the way `manage.py load_areas` does."""
    from meiduo_mall.apps.areas.services import load_areas

    load_areas()


class Mailbox:
    """Messages received by the loopback SMTP server, parsed; an aiosmtpd handler."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on 127.0.0.1 and a free port, for the whole session."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=port)
    controller.start()
    yield controller
    controller.stop()


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
def fake_qq(settings):
    """QQ Connect played by a local server; settings point the QQ client at it."""
    from tests.fakes.qq_server import CLIENT_ID, CLIENT_SECRET, FakeQQ

    server = FakeQQ().start()
    settings.QQ_BASE_URL = server.base_url
    settings.QQ_CLIENT_ID = CLIENT_ID
    settings.QQ_CLIENT_SECRET = CLIENT_SECRET
    yield server
    server.stop()


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
