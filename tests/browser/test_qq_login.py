from urllib.parse import urlparse

import pytest
from django_redis import get_redis_connection

from meiduo_mall.apps.oauth.models import OAuthQQUser
from meiduo_mall.apps.users.models import User


@pytest.fixture
def qq_redirect_to_live_server(fake_qq, settings, live_server):
    settings.QQ_REDIRECT_URI = f"{live_server.url}/oauth_callback.html"
    return fake_qq


@pytest.mark.django_db(transaction=True)
def test_first_qq_login_binds_a_new_mobile_account_and_returns_to_next(page, qq_redirect_to_live_server):
    page.goto("/login.html?next=/user_center_info.html")
    page.click("text=QQ登录")

    page.wait_for_selector(".bind-form")
    assert "/oauth_callback.html?code=" in page.url
    page.fill("#mobile", "13712340000")
    page.fill("#password", "qqpass1234")
    page.click(".send-sms")
    page.wait_for_selector(".send-sms:has-text('秒')")
    code = get_redis_connection("verify_codes").get("sms_13712340000").decode()
    page.fill("#sms_code", code)
    page.click(".bind-form button[type=submit]")

    page.wait_for_url(lambda url: urlparse(url).path == "/user_center_info.html")
    page.wait_for_selector("#site-header .username")
    assert page.inner_text("#site-header .username") == "13712340000"
    user = User.objects.get(mobile="13712340000")
    assert OAuthQQUser.objects.get(openid=qq_redirect_to_live_server.openid_for_next_login).user == user
    assert page.evaluate("localStorage.token") and page.evaluate("localStorage.user_id") == str(user.id)


@pytest.mark.django_db(transaction=True)
def test_a_bound_qq_account_logs_straight_in(page, qq_redirect_to_live_server, user):
    OAuthQQUser.objects.create(user=user, openid=qq_redirect_to_live_server.openid_for_next_login)

    page.goto("/login.html?next=/user_center_info.html")
    page.click("text=QQ登录")

    page.wait_for_url(lambda url: urlparse(url).path == "/user_center_info.html")
    page.wait_for_selector("#site-header .username")
    assert page.inner_text("#site-header .username") == user.username


@pytest.mark.django_db(transaction=True)
def test_qq_trouble_is_shown_on_the_callback_page(page, qq_redirect_to_live_server):
    page.goto("/oauth_callback.html?code=made-up&state=/")
    page.wait_for_selector(".status.failed")
    assert "QQ服务异常" in page.inner_text(".status.failed")
