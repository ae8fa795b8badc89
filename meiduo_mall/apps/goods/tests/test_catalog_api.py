"""G1–G3: the list page, hot SKUs and the breadcrumb."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meiduo_mall.apps.goods import services
from meiduo_mall.apps.goods.models import SKU
from tests.factories import CategoryFactory, GoodsFactory, SKUFactory

pytestmark = pytest.mark.django_db

SKU_FIELDS = {"id", "name", "price", "default_image_url", "comments"}


@pytest.fixture
def goods():
    return GoodsFactory()


@pytest.fixture
def skus(goods):
    """Five launched SKUs with distinct prices and sales, plus one unlaunched best seller."""
    rows = [("A", "30.00", 5), ("B", "10.00", 50), ("C", "50.00", 20), ("D", "20.00", 40), ("E", "40.00", 10)]
    created = [SKUFactory(goods=goods, name=name, price=Decimal(price), sales=sales) for name, price, sales in rows]
    SKUFactory(goods=goods, name="下架", price=Decimal("1.00"), sales=999, is_launched=False)
    return created


def names(response):
    return [row["name"] for row in response.json()["results"]]


def list_url(category_id):
    return f"/categories/{category_id}/skus/"


def test_list_defaults_to_newest_first_and_shows_launched_only(api_client, goods, skus):
    response = api_client.get(list_url(goods.category3_id), {"page_size": 10})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert names(response) == ["E", "D", "C", "B", "A"]
    assert set(body["results"][0]) == SKU_FIELDS
    assert body["results"][0]["price"] == "40.00"
    assert body["next"] is None and body["previous"] is None


@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("price", ["B", "D", "A", "E", "C"]),
        ("-price", ["C", "E", "A", "D", "B"]),
        ("sales", ["A", "E", "C", "D", "B"]),
        ("-sales", ["B", "D", "C", "E", "A"]),
        ("-create_time", ["E", "D", "C", "B", "A"]),
        ("stock; DROP TABLE tb_sku", ["E", "D", "C", "B", "A"]),
        ("password", ["E", "D", "C", "B", "A"]),
    ],
)
def test_list_orderings_and_unknown_ordering_ignored(api_client, goods, skus, ordering, expected):
    response = api_client.get(list_url(goods.category3_id), {"ordering": ordering, "page_size": 5})
    assert response.status_code == 200
    assert names(response) == expected


def test_pages_link_to_each_other(api_client, goods, skus):
    first = api_client.get(list_url(goods.category3_id), {"page_size": 2, "ordering": "price"}).json()
    assert [row["name"] for row in first["results"]] == ["B", "D"]
    assert "page=2" in first["next"] and first["previous"] is None
    last = api_client.get(list_url(goods.category3_id), {"page_size": 2, "ordering": "price", "page": 3}).json()
    assert [row["name"] for row in last["results"]] == ["C"]
    assert last["next"] is None and "page=2" in last["previous"]


def test_links_keep_the_other_parameters_and_page_1_drops_the_page(api_client, goods, skus):
    url = list_url(goods.category3_id)
    api_client.get(url, {"page_size": 2, "ordering": "-sales", "page": 2})  # the second answer comes from the cache
    response = api_client.get(url, {"page_size": 2, "ordering": "-sales", "page": 2})
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["count"] == 5 and [row["name"] for row in body["results"]] == ["C", "E"]
    assert body["next"] == f"http://testserver{url}?page_size=2&ordering=-sales&page=3"
    assert body["previous"] == f"http://testserver{url}?page_size=2&ordering=-sales"


@pytest.mark.parametrize("page", ["4", "0", "-1", "abc", "99999999999999999999"])
def test_page_beyond_range_or_invalid_is_404(api_client, goods, skus, page):
    response = api_client.get(list_url(goods.category3_id), {"page_size": 2, "page": page})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_empty_category_has_an_empty_first_page(api_client):
    category = CategoryFactory()
    response = api_client.get(list_url(category.id))
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_page_size_is_capped_at_20_and_bad_sizes_fall_back(api_client, goods):
    SKUFactory.create_batch(25, goods=goods)
    assert len(api_client.get(list_url(goods.category3_id), {"page_size": 500}).json()["results"]) == 20
    assert len(api_client.get(list_url(goods.category3_id), {"page_size": "x"}).json()["results"]) == 5
    assert len(api_client.get(list_url(goods.category3_id), {"page_size": -3}).json()["results"]) == 5


@pytest.mark.parametrize("category_id", [987654, 99999999999999999999])
def test_unknown_category_is_404_everywhere(api_client, category_id):
    for path in ("skus/", "hotskus/", ""):
        response = api_client.get(f"/categories/{category_id}/{path}")
        assert response.status_code == 404, path


def test_list_makes_the_same_few_queries_whatever_the_page_size(api_client, goods):
    SKUFactory.create_batch(25, goods=goods)
    counts = []
    for page_size, page in ((1, 1), (20, 1), (3, 7), (1, 25)):
        services.bump_catalog_version()  # a cold cache each time: the worst case
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(list_url(goods.category3_id), {"page_size": page_size, "page": page})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(page_size, 25 - (page - 1) * page_size)
        counts.append(len(queries))
    assert counts == [4, 4, 4, 4]


def test_the_page_offset_walks_the_index_for_ids_only(api_client, goods):
    SKUFactory.create_batch(12, goods=goods)
    with CaptureQueriesContext(connection) as queries:
        api_client.get(list_url(goods.category3_id), {"page_size": 5, "page": 3, "ordering": "-sales"})
    offset_queries = [q["sql"] for q in queries if "OFFSET" in q["sql"]]
    assert len(offset_queries) == 1
    selected = offset_queries[0].split("FROM")[0]
    assert "`tb_sku`.`id`" in selected and "`name`" not in selected


def test_list_pages_are_cached_until_the_catalog_changes(
    api_client, goods, skus, django_assert_num_queries, django_capture_on_commit_callbacks
):
    url = list_url(goods.category3_id)
    api_client.get(url, {"ordering": "price"})
    with django_assert_num_queries(0):
        assert names(api_client.get(url, {"ordering": "price"}))[0] == "B"
    with django_capture_on_commit_callbacks(execute=True):
        cheapest = SKU.objects.get(name="D")
        cheapest.price = Decimal("1.00")
        cheapest.save()
    assert names(api_client.get(url, {"ordering": "price"}))[0] == "D"


def test_hot_skus_are_the_best_launched_sellers_cached(api_client, goods, skus, django_assert_num_queries):
    url = f"/categories/{goods.category3_id}/hotskus/"
    response = api_client.get(url)
    assert response.status_code == 200
    assert [row["name"] for row in response.json()] == ["B", "D"]
    assert set(response.json()[0]) == SKU_FIELDS
    with django_assert_num_queries(0):
        assert api_client.get(url).json() == response.json()


def test_hot_skus_follow_a_catalog_change(api_client, goods, skus, django_capture_on_commit_callbacks):
    url = f"/categories/{goods.category3_id}/hotskus/"
    assert [row["name"] for row in api_client.get(url).json()] == ["B", "D"]
    with django_capture_on_commit_callbacks(execute=True):
        SKU.objects.filter(name="B").get().delete()
    assert [row["name"] for row in api_client.get(url).json()] == ["D", "C"]


def test_catalog_version_bumps(db):
    before = services.catalog_version()
    services.bump_catalog_version()
    assert services.catalog_version() == before + 1


def test_breadcrumb_of_each_level(api_client, goods):
    cat1, cat2, cat3 = goods.category1, goods.category2, goods.category3
    assert api_client.get(f"/categories/{cat3.id}/").json() == {
        "cat1": {"url": "http://shouji.meiduo.site", "category": {"id": cat1.id, "name": cat1.name}},
        "cat2": {"id": cat2.id, "name": cat2.name},
        "cat3": {"id": cat3.id, "name": cat3.name},
    }
    level2 = api_client.get(f"/categories/{cat2.id}/").json()
    assert level2["cat2"] == {"id": cat2.id, "name": cat2.name} and level2["cat3"] == ""
    level1 = api_client.get(f"/categories/{cat1.id}/").json()
    assert level1["cat1"]["category"]["id"] == cat1.id and level1["cat2"] == "" and level1["cat3"] == ""
