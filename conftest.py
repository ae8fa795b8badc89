"""Fixtures shared by every test: API clients, users, Redis isolation, and Chromium.

Tests talk to real MariaDB and Redis (see scripts/services.sh); nothing of ours is mocked.
"""

import os

import pytest
from django_redis import get_redis_connection
from rest_framework.test import APIClient

from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import UserFactory

# Django's live server runs beside Playwright's sync API, which keeps an event loop open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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


@pytest.fixture(autouse=True)
def clean_redis():
    """Every test starts with empty Redis databases."""
    for alias in REDIS_ALIASES:
        get_redis_connection(alias).flushdb()
    yield


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
    from playwright.sync_api import sync_playwright

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
