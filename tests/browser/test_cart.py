"""Chromium: a guest fills the cart from detail pages, edits it in cart.html, logs in, and finds it merged."""

import re

import pytest
from playwright.sync_api import expect

from celery_tasks.html.tasks import regenerate_detail_html
from meiduo_mall.apps.carts.tests.fixtures import cart_of, fill_cart
from tests.browser.fixtures import log_in_page
from tests.factories import DEFAULT_PASSWORD, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def cart_line(page, sku):
    return page.locator(f'.cart-line[data-sku-id="{sku.id}"]')


def add_from_detail_page(page, sku, pieces):
    page.goto(f"/goods/{sku.id}.html")
    expect(page.locator("h1.sku-name")).to_have_text(sku.name)
    for _ in range(pieces - 1):
        page.locator(".buy-box .plus").click()
    page.locator(".buy-box .add-cart").click()
    expect(page.locator("#site-toast")).to_have_text("已加入购物车")


def test_guest_cart_from_detail_pages_to_a_merged_member_cart(page):
    phone = SKUFactory(name="购物车测试手机", price="1999.00", stock=10)
    case = SKUFactory(name="购物车测试手机壳", price="49.90", stock=10)
    earlier = SKUFactory(name="上次加购的耳机", price="299.00", stock=10)
    for sku in (phone, case):
        regenerate_detail_html(sku.id)
    user = UserFactory()
    fill_cart(user, {phone.id: 5, earlier.id: 1})

    add_from_detail_page(page, phone, 1)
    expect(page.locator(".mini-cart-count")).to_have_text("1")
    add_from_detail_page(page, case, 2)
    expect(page.locator(".mini-cart-count")).to_have_text("3")
    page.locator(".mini-cart").hover()
    expect(page.locator(".mini-cart-dropdown li")).to_have_count(2)
    expect(page.locator(".mini-cart-dropdown")).to_contain_text("购物车测试手机壳")

    page.goto("/cart.html")
    expect(page.locator(".cart-line")).to_have_count(2)
    expect(page.locator(".selected-amount")).to_have_text("¥2098.80")
    cart_line(page, phone).locator(".plus").click()
    expect(cart_line(page, phone).locator(".count")).to_have_value("2")
    expect(cart_line(page, phone).locator(".col-amount")).to_have_text("¥3998.00")
    cart_line(page, case).locator(".count").fill("3")
    cart_line(page, case).locator(".count").press("Enter")
    expect(page.locator(".selected-amount")).to_have_text("¥4147.70")
    cart_line(page, case).locator(".select-line").click()
    expect(cart_line(page, case).locator(".select-line")).not_to_be_checked()
    expect(page.locator(".selected-amount")).to_have_text("¥3998.00")
    expect(page.locator(".selected-count")).to_have_text("2")
    expect(page.locator(".mini-cart-count")).to_have_text("5")

    # What the page shows is what the server keeps: a reload shows the same cart.
    page.reload()
    expect(cart_line(page, case).locator(".count")).to_have_value("3")
    expect(cart_line(page, case).locator(".select-line")).not_to_be_checked()
    assert any(cookie["name"] == "cart" for cookie in page.context.cookies())

    page.locator(".settle").click()
    expect(page).to_have_url(re.compile(r"/login\.html\?next=%2Fcart\.html$"))
    page.fill("#username", user.username)
    page.fill("#password", DEFAULT_PASSWORD)
    page.locator("#app button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/cart\.html$"))
    expect(page.locator(".cart-line")).to_have_count(3)
    # The cookie's count overwrote the member's 5 phones; the earlier line stayed.
    expect(cart_line(page, phone).locator(".count")).to_have_value("2")
    expect(cart_line(page, case).locator(".count")).to_have_value("3")
    expect(cart_line(page, case).locator(".select-line")).not_to_be_checked()
    expect(cart_line(page, earlier).locator(".select-line")).to_be_checked()
    expect(page.locator(".selected-amount")).to_have_text("¥4297.00")
    expect(page.locator(".mini-cart-count")).to_have_text("6")
    assert not any(cookie["name"] == "cart" for cookie in page.context.cookies())
    assert cart_of(user)[0] == {phone.id: 2, case.id: 3, earlier.id: 1}


def test_member_removes_a_line_and_selects_all(page):
    skus = [SKUFactory(name=f"会员购物车商品{n}", price="10.00", stock=10) for n in (1, 2)]
    user = UserFactory()
    fill_cart(user, {skus[0].id: 1, skus[1].id: 2}, unselected={skus[0].id, skus[1].id})
    log_in_page(page, user)

    page.goto("/cart.html")
    expect(page.locator(".cart-line")).to_have_count(2)
    expect(page.locator(".selected-amount")).to_have_text("¥0.00")
    page.locator(".cart-footer .select-all").click()
    expect(page.locator(".cart-line .select-line:checked")).to_have_count(2)
    expect(page.locator(".selected-amount")).to_have_text("¥30.00")
    cart_line(page, skus[1]).locator(".plus").click()
    expect(cart_line(page, skus[1]).locator(".count")).to_have_value("3")
    cart_line(page, skus[0]).locator(".remove").click()
    expect(page.locator(".cart-line")).to_have_count(1)
    expect(page.locator(".selected-amount")).to_have_text("¥30.00")
    expect(page.locator(".mini-cart-count")).to_have_text("3")

    # A count over the stock is refused with the server's message and the line is unchanged.
    cart_line(page, skus[1]).locator(".count").fill("11")
    cart_line(page, skus[1]).locator(".count").press("Enter")
    expect(page.locator("#site-toast")).to_have_text("商品库存不足")
    expect(cart_line(page, skus[1]).locator(".count")).to_have_value("3")
    assert cart_of(user) == ({skus[1].id: 3}, {skus[1].id})

    page.locator(".settle").click()
    expect(page).to_have_url(re.compile(r"/place_order\.html$"))
    page.goto("/cart.html")
    cart_line(page, skus[1]).locator(".remove").click()
    expect(page.locator(".cart-empty")).to_contain_text("购物车内还没有商品")
    expect(page.locator(".mini-cart-count")).to_have_text("0")
