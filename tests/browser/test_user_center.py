"""User centre in Chromium: the address book through the cascading selects, e-mail verification through
a real SMTP server, and a password change followed by a login with the new password."""

import re
import time
from html import unescape
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from meiduo_mall.apps.users.models import Address, User
from tests.browser.fixtures import log_in_page
from tests.factories import DEFAULT_PASSWORD, UserFactory


def choose_area(form, province, city, district):
    form.locator("select[name=province]").select_option(label=province)
    form.locator(f"select[name=city] option:text-is('{city}')").wait_for(state="attached")
    form.locator("select[name=city]").select_option(label=city)
    form.locator(f"select[name=district] option:text-is('{district}')").wait_for(state="attached")
    form.locator("select[name=district]").select_option(label=district)


def card(page, address):
    return page.locator(f".address-card[data-address-id='{address.id}']")


@pytest.mark.django_db(transaction=True)
def test_address_book_add_default_edit_rename_delete(page, areas):
    user = UserFactory()
    log_in_page(page, user)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/user_center_site.html")
    page.wait_for_selector(".address-book .empty")

    page.click(".add-address")
    form = page.locator("form.address-form")
    form.locator("#receiver").fill("李四")
    choose_area(form, "河北省", "石家庄市", "长安区")
    form.locator("#place").fill("中山东路1号")
    form.locator("#mobile").fill("1234")
    form.locator(".save-address").click()
    assert form.locator(".error-text", has_text="手机号格式错误").is_visible()
    form.locator("#mobile").fill("13912345678")
    form.locator(".save-address").click()
    page.wait_for_selector(".address-card .badge")

    first = Address.objects.get(user=user)
    assert (first.province_id, first.city_id, first.district_id) == (130000, 130100, 130102)
    assert card(page, first).locator(".region").inner_text() == "河北省 石家庄市 长安区"

    # A municipality: 北京市 → 北京市 → 东城区, no "市辖区" on the way.
    page.click(".add-address")
    form.locator("#receiver").fill("王五")
    choose_area(form, "北京市", "北京市", "东城区")
    form.locator("#place").fill("东长安街1号")
    form.locator("#mobile").fill("13800138000")
    form.locator("#email").fill("wang@meiduo.site")
    form.locator(".save-address").click()
    page.wait_for_selector(".address-card >> nth=1")
    second = Address.objects.get(user=user, receiver="王五")

    card(page, second).locator(".set-default").click()
    card(page, second).locator(".badge").wait_for()
    assert card(page, first).locator(".badge").count() == 0
    user.refresh_from_db()
    assert user.default_address_id == second.id

    card(page, second).locator(".edit").click()
    expect(form.locator("select[name=city]")).to_have_value("110100")
    form.locator("select[name=district] option:text-is('朝阳区')").wait_for(state="attached")
    form.locator("select[name=district]").select_option(label="朝阳区")
    form.locator("#place").fill("建国路88号")
    form.locator(".save-address").click()
    card(page, second).locator(".place", has_text="建国路88号").wait_for()
    second.refresh_from_db()
    assert (second.district_id, second.place) == (110105, "建国路88号")

    card(page, second).locator(".edit-title").click()
    card(page, second).locator("input[name=title]").fill("公司")
    card(page, second).locator(".save-title").click()
    card(page, second).locator(".title", has_text="公司").wait_for()
    second.refresh_from_db()
    assert second.title == "公司"

    card(page, second).locator(".delete").click()
    card(page, second).wait_for(state="detached")
    second.refresh_from_db()
    user.refresh_from_db()
    assert second.is_deleted and user.default_address_id is None
    page.reload()
    page.wait_for_selector(".address-card")
    assert page.locator(".address-card").count() == 1


def wait_for_mail(mailbox):
    for _ in range(50):
        if mailbox.messages:
            return mailbox.messages[-1]
        time.sleep(0.1)
    raise AssertionError("no mail arrived at the SMTP server")


@pytest.mark.django_db(transaction=True)
def test_set_email_and_follow_the_link_from_the_mail(page, live_server, mailbox, settings):
    settings.FRONTEND_ORIGIN = live_server.url
    user = UserFactory(email="")
    log_in_page(page, user)
    page.goto("/user_center_info.html")
    page.wait_for_selector(".history .empty")
    page.fill(".email-form input[name=email]", "bad-address")
    page.click(".save-email")
    assert page.locator(".email-form .error-text", has_text="邮箱格式错误").is_visible()
    page.fill(".email-form input[name=email]", "verify.me@meiduo.site")
    page.click(".save-email")
    page.wait_for_selector(".email-state.pending")

    message = wait_for_mail(mailbox)
    assert message["Subject"] == "美多商城邮箱验证" and message["To"] == "verify.me@meiduo.site"
    html = message.get_body(("html",)).get_content()
    link = unescape(re.search(r'href="([^"]+)"', html).group(1))
    assert link.startswith(f"{live_server.url}/success_verify_email.html?token=")

    page.goto(link)
    page.wait_for_selector(".verify-email h2.ok")
    user.refresh_from_db()
    assert user.email == "verify.me@meiduo.site" and user.email_active

    page.goto("/user_center_info.html")
    page.wait_for_selector(".email-state.active")
    assert page.locator(".email-address").inner_text() == "verify.me@meiduo.site"

    page.goto(link.replace("token=", "token=x"))
    page.wait_for_selector(".verify-email h2.failed")


@pytest.mark.django_db(transaction=True)
def test_change_password_then_log_in_with_the_new_one(page):
    page.goto("/user_center_pass.html")
    page.wait_for_url("**/login.html?next=%2Fuser_center_pass.html")

    user = UserFactory()
    log_in_page(page, user)
    page.goto("/user_center_pass.html")
    page.fill("#old_password", "not-my-password")
    page.fill("#password", "chromium-new-pass")
    page.fill("#password2", "chromium-new-pass")
    page.click("form.password-form button[type=submit]")
    page.locator(".form-error", has_text="原密码错误").wait_for()

    page.fill("#old_password", DEFAULT_PASSWORD)
    page.click("form.password-form button[type=submit]")
    page.wait_for_url("**/login.html?next=%2Fuser_center_info.html")
    assert User.objects.get(pk=user.pk).check_password("chromium-new-pass")

    page.fill("#username", user.username)
    page.fill("#password", "chromium-new-pass")
    page.click(".account-card button[type=submit]")
    page.wait_for_url(lambda url: urlparse(url).path == "/user_center_info.html")
    page.wait_for_selector(".profile .username")
    assert page.locator(".profile .username").inner_text() == user.username


@pytest.mark.django_db(transaction=True)
def test_the_side_menu_marks_the_page_you_are_on(page):
    log_in_page(page, UserFactory())
    for path, label in (
        ("/user_center_site.html", "收货地址"),
        ("/user_center_coupon.html", "我的优惠券"),
        ("/user_center_pass.html", "修改密码"),
    ):
        page.goto(path)
        expect(page.locator("#user-center-menu a")).to_have_text(
            ["个人信息", "收货地址", "全部订单", "我的优惠券", "退货/售后", "修改密码"]
        )
        expect(page.locator("#user-center-menu a.active")).to_have_text(label)
