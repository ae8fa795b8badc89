"""Chromium flows of browsing: the list page's brand and price filters, 20 goods a page, the breadcrumb, and
the shop's own 404 page."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.factories import BrandFactory, GoodsFactory, SKUFactory, category_tree

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shelf():
    """手机 > 手机通讯 > 手机: 45 Apple SKUs at 1000..1044 yuan and 5 华为 SKUs at 2000..2004."""
    tree = category_tree()
    apple = GoodsFactory(tree=tree, brand=BrandFactory(name="Apple", first_letter="A"))
    huawei = GoodsFactory(tree=tree, brand=BrandFactory(name="华为", first_letter="H"))
    for number in range(45):
        SKUFactory(goods=apple, name=f"苹果手机 {number:02d}", price=Decimal(1000 + number))
    for number in range(5):
        SKUFactory(goods=huawei, name=f"华为手机 {number}", price=Decimal(2000 + number))
    return tree[2]


def test_list_pages_20_at_a_time_and_filters_by_brand_and_price(page, shelf):
    page.goto(f"/list.html?cat={shelf.id}")
    names = page.locator(".sku-grid .name")
    expect(names).to_have_count(20)
    expect(page.locator(".breadcrumb")).to_have_text("手机通讯>手机")
    pager = page.locator(".pager")
    pager.locator("a", has_text="3").click()
    expect(pager.locator(".current")).to_have_text("3")
    expect(names).to_have_count(10)

    page.locator(".brand-filter a", has_text="华为").click()
    expect(names).to_have_count(5)
    for name in names.all_text_contents():
        assert name.startswith("华为手机")
    expect(pager).to_have_count(0)

    page.locator(".brand-filter a", has_text="Apple").click()
    expect(names).to_have_count(20)
    page.locator(".sort-bar a", has_text="价格").click()
    page.fill("input[name=price_min]", "1010")
    page.fill("input[name=price_max]", "1034.50")
    page.locator(".price-filter button").click()
    expect(names).to_have_count(20)
    expect(names.first).to_have_text("苹果手机 10")
    expect(names.last).to_have_text("苹果手机 29")
    pager.locator("a", has_text="下一页").click()
    expect(names).to_have_count(5)
    expect(names.last).to_have_text("苹果手机 34")

    page.fill("input[name=price_min]", "2000")
    page.locator(".price-filter button").click()
    expect(page.locator(".price-filter .error")).to_have_text("最低价不能高于最高价")
    page.locator(".price-filter a", has_text="清除").click()
    expect(page.locator(".brand-filter a.active")).to_have_text("Apple")
    expect(names).to_have_count(20)
    expect(names.first).to_have_text("苹果手机 00")


def test_a_missing_page_shows_the_shops_404_and_its_links(page):
    response = page.goto("/no-such-page.html")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("抱歉，您访问的页面不存在")
    expect(page.locator("#site-header")).to_be_visible()
    page.locator("#site-footer a", has_text="帮助中心").click()
    expect(page).to_have_title("帮助中心 - 美多商城")
    page.locator(".info-menu a", has_text="用户协议").click()
    expect(page.locator(".info-body h1")).to_have_text("美多商城用户使用协议")
