"""Chromium driven by Playwright against Django's live server: `chromium`, `page`, and `log_in_page()`."""

import os

import pytest

from meiduo_mall.apps.users.tokens import issue_jwt

# Django's live server runs beside Playwright's sync API, which keeps an event loop open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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
    # Django sends the pages' Content-Security-Policy as nginx does: every flow also proves the pages run under it.
    refused = []
    browser_page.on("console", lambda msg: "Content Security Policy" in msg.text and refused.append(msg.text))
    yield browser_page
    context.close()
    assert not refused, refused


def log_in_page(page, user):
    """Put a member's token where the pages look for it (localStorage), as login.html does."""
    page.goto("/login.html")
    page.evaluate(
        "([token, id, name]) => {"
        " localStorage.token = token; localStorage.user_id = id; localStorage.username = name; }",
        [issue_jwt(user), str(user.id), user.username],
    )
