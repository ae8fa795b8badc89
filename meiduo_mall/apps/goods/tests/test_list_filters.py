"""G1's brand and price filters (with their bad input) and G6, the category's brands."""

from decimal import Decimal

import pytest

from meiduo_mall.apps.goods.models import Brand
from tests.factories import BrandFactory, GoodsFactory, SKUFactory, category_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    """One category: two Apple SPUs and a 华为 one, SKUs at 10..60 yuan, an unlaunched Apple SKU, and a
    小米 SPU with no launched SKU."""
    tree = category_tree()
    apple, huawei, xiaomi = (BrandFactory(name=name, first_letter=name[0]) for name in ("Apple", "华为", "小米"))
    phone, pad, mate, hidden = (GoodsFactory(tree=tree, brand=brand) for brand in (apple, apple, huawei, xiaomi))
    for goods, name, price in [(phone, "A10", 10), (phone, "A30", 30), (pad, "A50", 50), (mate, "H20", 20),
                               (mate, "H40", 40), (mate, "H60", 60)]:  # fmt: skip
        SKUFactory(goods=goods, name=name, price=Decimal(price))
    SKUFactory(goods=phone, name="A下架", price=Decimal(35), is_launched=False)
    SKUFactory(goods=hidden, name="X下架", is_launched=False)
    return tree[2], apple, huawei, xiaomi


def listed(api_client, category, **params):
    response = api_client.get(f"/categories/{category.id}/skus/", {"page_size": 20, "ordering": "price", **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return [row["name"] for row in body["results"]]


def test_brand_filter_keeps_that_brands_launched_skus(api_client, shelf):
    category, apple, huawei, _ = shelf
    assert listed(api_client, category, brand=apple.id) == ["A10", "A30", "A50"]
    assert listed(api_client, category, brand=huawei.id) == ["H20", "H40", "H60"]
    assert listed(api_client, category, brand=987654) == []


def test_price_range_is_inclusive_and_either_end_may_be_open(api_client, shelf):
    category, apple, _, _ = shelf
    assert listed(api_client, category, price_min="20", price_max="40") == ["H20", "A30", "H40"]
    assert listed(api_client, category, price_min="40.5") == ["A50", "H60"]
    assert listed(api_client, category, price_max="19.99") == ["A10"]
    assert listed(api_client, category, price_min="30", price_max="30.00") == ["A30"]
    assert listed(api_client, category, brand=apple.id, price_min="20") == ["A30", "A50"]
    assert listed(api_client, category, brand="", price_min="", price_max="") == [
        "A10",
        "H20",
        "A30",
        "H40",
        "A50",
        "H60",
    ]


def test_filtered_pages_count_and_link_the_filtered_rows(api_client, shelf):
    category, apple, _, _ = shelf
    url = f"/categories/{category.id}/skus/"
    body = api_client.get(url, {"page_size": 2, "ordering": "price", "brand": apple.id}).json()
    assert body["count"] == 3 and [row["name"] for row in body["results"]] == ["A10", "A30"]
    assert f"brand={apple.id}" in body["next"] and "page=2" in body["next"]
    second = api_client.get(body["next"]).json()
    assert [row["name"] for row in second["results"]] == ["A50"] and second["next"] is None
    assert api_client.get(url, {"page_size": 2, "page": 3, "brand": apple.id}).status_code == 404


def test_filtered_pages_are_cached_and_follow_a_catalog_change(
    api_client, shelf, django_assert_num_queries, django_capture_on_commit_callbacks
):
    category, apple, _, _ = shelf
    assert listed(api_client, category, brand=apple.id, price_max="40") == ["A10", "A30"]
    with django_assert_num_queries(0):
        assert listed(api_client, category, brand=apple.id, price_max="40.00") == ["A10", "A30"]
    with django_capture_on_commit_callbacks(execute=True):
        SKUFactory(goods=apple.goods_set.first(), name="A25", price=Decimal(25))
    assert listed(api_client, category, brand=apple.id, price_max="40") == ["A10", "A25", "A30"]


@pytest.mark.parametrize(
    "params",
    [
        {"brand": "x"},
        {"brand": "0"},
        {"brand": "-1"},
        {"brand": "1.5"},
        {"brand": "１"},
        {"brand": str(2**63)},
        {"price_min": "abc"},
        {"price_min": "-1"},
        {"price_max": "1e3"},
        {"price_max": "NaN"},
        {"price_max": "Infinity"},
        {"price_min": "10.001"},
        {"price_min": "123456789"},
        {"price_min": " 10"},
        {"price_min": "50", "price_max": "10"},
    ],
)
def test_bad_filters_are_400_with_a_message(api_client, shelf, params):
    category = shelf[0]
    response = api_client.get(f"/categories/{category.id}/skus/", params)
    assert response.status_code == 400
    assert response.json()["detail"] in ("筛选条件有误", "最低价不能高于最高价")


def test_filters_on_an_unknown_category_are_404(api_client, shelf):
    assert api_client.get("/categories/987654/skus/", {"brand": shelf[1].id}).status_code == 404


def test_category_brands_are_those_with_launched_skus(
    api_client, shelf, django_assert_num_queries, django_capture_on_commit_callbacks
):
    category, apple, huawei, _ = shelf
    url = f"/categories/{category.id}/brands/"
    response = api_client.get(url)
    assert response.status_code == 200
    assert response.json() == [{"id": apple.id, "name": "Apple"}, {"id": huawei.id, "name": "华为"}]
    with django_assert_num_queries(0):
        api_client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        Brand.objects.filter(id=huawei.id).update(name="HUAWEI")
        Brand.objects.get(id=huawei.id).save()
    assert [row["name"] for row in api_client.get(url).json()] == ["Apple", "HUAWEI"]
    assert api_client.get("/categories/987654/brands/").status_code == 404
