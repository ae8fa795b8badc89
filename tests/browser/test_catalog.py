"""Chromium flows of the shop window: home, list, detail, and the history a visit leaves."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_redis import get_redis_connection
from playwright.sync_api import expect

from meiduo_mall.apps.contents.models import Content
from meiduo_mall.apps.goods.models import SKU, GoodsChannel, GoodsSpecification, SKUSpecification, SpecificationOption
from tests.browser.fixtures import log_in_page
from tests.factories import GoodsFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone():
    """Three SKUs of one SPU with 颜色 × 内存; saving them generates their pages after commit."""
    goods = GoodsFactory(name="浏览器测试手机")
    colour = GoodsSpecification.objects.create(goods=goods, name="颜色")
    memory = GoodsSpecification.objects.create(goods=goods, name="内存")
    gold, grey = (SpecificationOption.objects.create(spec=colour, value=v) for v in ("金色", "深空灰"))
    small, large = (SpecificationOption.objects.create(spec=memory, value=v) for v in ("64GB", "256GB"))
    skus = []
    for name, options, price in (("金色 64GB", (gold, small), "4999.00"), ("深空灰 64GB", (grey, small), "5099.00"),
                                 ("深空灰 256GB", (grey, large), "5999.00")):  # fmt: skip
        sku = SKUFactory(goods=goods, name=f"浏览器测试手机 {name}", price=Decimal(price))
        for spec, option in zip((colour, memory), options, strict=True):
            SKUSpecification.objects.create(sku=sku, spec=spec, option=option)
        skus.append(sku)
    return skus


def test_home_shows_the_demo_menu_and_ads(page):
    call_command("seed_demo")
    call_command("seed_demo")  # the second start finds everything in place
    assert GoodsChannel.objects.count() == 37 and SKU.objects.count() >= 150
    page.goto("/index.html")
    menu = page.locator(".category-menu")
    expect(menu.locator(".menu-channels").first).to_contain_text("手机")
    expect(menu.locator(".menu-group")).to_have_count(11)
    expect(page.locator("#carousel .slide")).to_have_count(Content.objects.filter(category__key="index_lbt").count())
    expect(page.locator(".news li").first).to_contain_text("美多商城周年庆")
    first_floor = page.locator("#floor-1")
    expect(first_floor.locator(".floor-panel.active li").first).to_be_visible()
    first_floor.locator(".floor-tab", has_text="手机配件").click()
    expect(first_floor.locator('.floor-panel[data-panel="index_1f_sjpj"]')).to_be_visible()
    page.locator(".menu-group").nth(1).hover()
    cat3_link = page.locator(".menu-group").nth(1).locator(".menu-sub dd a").first
    expect(cat3_link).to_be_visible()
    cat3_link.click()
    expect(page).to_have_url(re.compile(r"/list\.html\?cat=\d+$"))


def test_list_sorting_by_price_reorders(page, phone):
    page.goto(f"/list.html?cat={phone[0].category_id}")
    names = page.locator(".sku-grid .name")
    expect(names).to_have_count(3)
    expect(names.first).to_have_text("浏览器测试手机 深空灰 256GB")
    expect(page.locator(".breadcrumb")).to_contain_text(phone[0].goods.category3.name)
    page.locator(".sort-bar a", has_text="价格").click()
    expect(names.first).to_have_text("浏览器测试手机 金色 64GB")
    expect(names.last).to_have_text("浏览器测试手机 深空灰 256GB")
    expect(page.locator(".hot-list li")).to_have_count(2)


def test_a_spec_option_opens_the_sibling_sku(page, phone):
    page.goto(f"/goods/{phone[0].id}.html")
    expect(page.locator("h1.sku-name")).to_have_text("浏览器测试手机 金色 64GB")
    expect(page.locator(".spec .option.disabled")).to_have_text("256GB")
    page.locator(".spec .option", has_text="深空灰").click()
    expect(page).to_have_url(re.compile(rf"/goods/{phone[1].id}\.html$"))
    expect(page.locator("h1.sku-name")).to_have_text("浏览器测试手机 深空灰 64GB")
    page.locator(".spec .option", has_text="256GB").click()
    expect(page).to_have_url(re.compile(rf"/goods/{phone[2].id}\.html$"))
    page.locator(".buy-box .plus").click()
    expect(page.locator(".buy-box .total")).to_contain_text("11998.00")
    page.locator(".comments-tab").click()
    expect(page.locator(".no-comments")).to_have_text("暂无评价")
    page.locator(".add-cart").click()
    expect(page.locator("#site-toast")).to_have_text("已加入购物车")
    expect(page.locator(".mini-cart-count")).to_have_text("2")


def test_a_logged_in_visit_lands_in_the_history(page, user, phone):
    log_in_page(page, user)
    for sku in (phone[2], phone[0]):
        with page.expect_response(lambda r: "/browse_histories/" in r.url and r.request.method == "POST") as posted:
            page.goto(f"/goods/{sku.id}.html")
        assert posted.value.status == 201
    assert get_redis_connection("history").lrange(f"history_{user.id}", 0, -1) == [
        str(phone[0].id).encode(),
        str(phone[2].id).encode(),
    ]
    page.goto("/user_center_info.html")
    viewed = page.locator(".history li .name")
    expect(viewed).to_have_text(["浏览器测试手机 金色 64GB", "浏览器测试手机 深空灰 256GB"])
    viewed.first.click()
    expect(page).to_have_url(re.compile(rf"/goods/{phone[0].id}\.html$"))
