"""Register, log out, log in by mobile; find a forgotten password and log in with the new one."""

import time
from urllib.parse import urlparse

import pytest
from django_redis import get_redis_connection

from meiduo_mall.apps.users.models import User
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend
from tests.factories import UserFactory


def captcha_text(page):
    """The text of the captcha the page shows, read from Redis img_<uuid> (uuid from the <img> src)."""
    src = page.get_attribute("img.captcha-img", "src")
    image_code_id = src.split("/image_codes/")[1].strip("/")
    redis = get_redis_connection("verify_codes")
    for _ in range(50):
        text = redis.get(f"img_{image_code_id}")
        if text:
            return text.decode()
        time.sleep(0.1)
    raise AssertionError(f"no captcha stored for {image_code_id}")


def last_sms_code(mobile):
    messages = [m for m in RecordingSMSBackend.outbox() if m["mobile"] == mobile]
    assert messages, f"no SMS sent to {mobile}"
    return messages[-1]["code"]


def storage(page, kind):
    return page.evaluate(f"() => ({{token: {kind}.token, username: {kind}.username, user_id: {kind}.user_id}})")


def header_username(page):
    page.wait_for_selector("#site-header .topbar")
    return page.locator("#site-header .username").all_inner_texts()


def fill_registration_and_ask_sms(page, username, mobile):
    """Fill register.html up to the SMS code: the code is asked for once the button counts down."""
    page.fill("#username", username)
    page.fill("#password", "chromium-pass")
    page.fill("#password2", "chromium-pass")
    page.fill("#mobile", mobile)
    page.fill("#image_code", captcha_text(page))
    page.click(".sms-btn")
    page.wait_for_function("/^\\d+秒$/.test(document.querySelector('.sms-btn').textContent.trim())")


@pytest.mark.django_db(transaction=True)
def test_register_log_out_and_log_in_by_mobile(page):
    page.goto("/register.html")
    fill_registration_and_ask_sms(page, "browser_shopper", "13512345678")
    page.fill("#sms_code", last_sms_code("13512345678"))
    page.check("input[name=allow]")
    page.click(".account-card button[type=submit]")

    page.wait_for_url("**/index.html")
    user = User.objects.get(username="browser_shopper")
    assert user.mobile == "13512345678"
    assert storage(page, "localStorage") == {
        "token": storage(page, "localStorage")["token"],
        "username": "browser_shopper",
        "user_id": str(user.id),
    }
    assert storage(page, "sessionStorage")["token"] is None

    page.goto("/login.html")
    assert header_username(page) == ["browser_shopper"]
    page.click("#site-header .logout")
    page.wait_for_selector("#site-header .login-link")
    assert storage(page, "localStorage")["token"] is None

    page.fill("#username", "13512345678")
    page.fill("#password", "chromium-pass")
    page.click(".account-card button[type=submit]")
    page.wait_for_url("**/index.html")
    # Without "记住登录" the login lives in sessionStorage only.
    assert storage(page, "sessionStorage")["username"] == "browser_shopper"
    assert storage(page, "localStorage")["token"] is None
    page.goto("/find_password.html")
    assert header_username(page) == ["browser_shopper"]


@pytest.mark.django_db(transaction=True)
def test_register_page_reports_taken_username_and_wrong_sms_code(page):
    UserFactory(username="taken_user")
    page.goto("/register.html")
    page.fill("#username", "taken_user")
    page.locator("#username").blur()
    page.wait_for_selector(".error.shown >> text=用户名已存在")

    fill_registration_and_ask_sms(page, "free_user", "13512340000")
    wrong = f"{(int(last_sms_code('13512340000')) + 1) % 10**6:06d}"
    page.fill("#sms_code", wrong)
    page.check("input[name=allow]")
    page.click(".account-card button[type=submit]")

    page.wait_for_selector(".error.shown >> text=短信验证码错误")
    assert not User.objects.filter(username="free_user").exists()


@pytest.mark.django_db(transaction=True)
def test_find_password_then_log_in_with_the_new_one(page):
    UserFactory(username="forgetful_one", mobile="13598765432")

    page.goto("/find_password.html")
    page.fill("#account", "forgetful_one")
    page.fill("#image_code", captcha_text(page))
    page.click(".step-account button[type=submit]")
    page.wait_for_selector(".masked-mobile")
    assert page.inner_text(".masked-mobile") == "135****5432"

    page.click(".sms-btn")
    page.wait_for_function("/秒$/.test(document.querySelector('.sms-btn').textContent.trim())")
    page.fill("#sms_code", last_sms_code("13598765432"))
    page.click(".step-sms button[type=submit]")

    page.fill("#password", "found-again-1")
    page.fill("#password2", "found-again-1")
    page.click(".step-password button[type=submit]")
    page.wait_for_selector(".wizard-done >> text=密码已重置")

    page.click(".wizard-done a")
    page.wait_for_url("**/login.html")
    page.goto("/login.html?next=/find_password.html")
    page.fill("#username", "forgetful_one")
    page.fill("#password", "found-again-1")
    page.check("input[name=remember]")
    page.click(".account-card button[type=submit]")
    page.wait_for_url(lambda url: urlparse(url).path == "/find_password.html")
    assert storage(page, "localStorage")["username"] == "forgetful_one"
    assert header_username(page) == ["forgetful_one"]


@pytest.mark.django_db(transaction=True)
def test_what_was_typed_before_the_login_page_script_arrived_is_kept(page):
    user = UserFactory()
    held = []
    page.route("**/js/login.js", lambda route: held.append(route))
    page.goto("/login.html?next=/user_center_info.html", wait_until="commit")
    page.wait_for_selector("#username", state="attached")
    page.locator("#username").fill(user.username, force=True)
    page.locator("#password").fill("password123", force=True)

    held[0].continue_()
    page.wait_for_selector("#app:not([v-cloak])")
    page.locator("#app button[type=submit]").click()

    page.wait_for_url(lambda url: urlparse(url).path == "/user_center_info.html")
