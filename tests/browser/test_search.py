import pytest
from haystack import connections
from playwright.sync_api import expect

from meiduo_mall.apps.goods.tests.fixtures import sku_in_general_store


@pytest.fixture
def search_index():
    backend = connections["default"].get_backend()
    backend.clear()
    yield backend
    backend.clear()


@pytest.mark.django_db(transaction=True)
def test_searching_from_the_header_lists_matching_goods_with_pages(page, search_index):
    for n in range(7):
        sku_in_general_store(name=f"国产智能手机 型号{n}")
    sku_in_general_store(name="不锈钢保温杯")

    page.goto("/search.html")
    page.fill("#site-header .search input", "手机")
    page.click("#site-header .search button")

    page.wait_for_selector(".sku-card")
    assert "共 7 件商品" in page.inner_text(".search-summary")
    assert page.locator(".sku-card").count() == 6
    assert "保温杯" not in page.inner_text(".sku-grid")
    first_link = page.locator(".sku-card a.name").first.get_attribute("href")
    assert first_link.startswith("/goods/") and first_link.endswith(".html")

    page.click(".pager >> text=2")
    page.wait_for_function("document.querySelectorAll('.sku-card').length === 1")


@pytest.mark.django_db(transaction=True)
def test_a_search_without_hits_says_so(page, search_index):
    page.goto("/search.html?q=" + "月球车")
    page.wait_for_selector("#app .empty")
    assert "没有找到" in page.inner_text("#app .empty")


@pytest.mark.django_db(transaction=True)
def test_a_long_result_list_shows_five_page_numbers_around_the_current_page(page, search_index):
    for n in range(40):
        sku_in_general_store(name=f"纯棉毛巾 款式{n}")

    page.goto("/search.html?q=毛巾")
    expect(page.locator("#app .pager a, #app .pager span")).to_have_text(["1", "2", "3", "4", "5", "下一页"])

    page.click("#app .pager >> text=5")
    expect(page.locator("#app .pager a, #app .pager span")).to_have_text(["上一页", "3", "4", "5", "6", "7", "下一页"])
    expect(page.locator("#app .pager .current")).to_have_text("5")

    page.click("#app .pager >> text=7")
    expect(page.locator(".sku-card")).to_have_count(4)
    expect(page.locator("#app .pager a, #app .pager span")).to_have_text(["上一页", "3", "4", "5", "6", "7"])


@pytest.mark.django_db(transaction=True)
def test_searching_苹果_finds_the_apple_goods_and_keeps_the_query_in_the_box(page, search_index):
    from meiduo_mall.apps.goods.demo.seed import seed_catalog
    from meiduo_mall.apps.goods.models import SKU

    seed_catalog()
    index = connections["default"].get_unified_index().get_index(SKU)
    search_index.update(index, index.index_queryset())

    page.goto("/search.html")
    page.fill("#site-header .search input", "苹果")
    expect(page.locator("#site-header .search-suggest")).to_contain_text("Apple iPhone 8 Plus")
    page.click("#site-header .search button")

    page.wait_for_selector(".sku-card")
    names = page.locator(".sku-card a.name").all_inner_texts()
    assert names and all(name.startswith("Apple") for name in names)
    assert "共 13 件商品" in page.inner_text(".search-summary")
    expect(page.locator("#site-header .search input")).to_have_value("苹果")
