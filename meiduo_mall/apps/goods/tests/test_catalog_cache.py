"""Catalog answers kept as ready JSON bytes (meiduo_mall/utils/ready_json.py): breadcrumb caching, one Redis
round trip per hit, the per-process copies, and answers from the database while Redis is down."""

import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_redis import get_redis_connection

from meiduo_mall.apps.goods import services
from meiduo_mall.apps.goods.models import SKU, GoodsCategory, GoodsChannel
from tests.factories import GoodsFactory, SKUFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1"


@pytest.fixture
def goods():
    goods = GoodsFactory()
    SKUFactory.create_batch(3, goods=goods)
    return goods


def catalog_paths(goods):
    category = goods.category3_id
    return [
        f"/categories/{category}/",
        f"/categories/{category}/hotskus/",
        f"/categories/{category}/skus/?page_size=2",
        f"/categories/{category}/skus/?page=2&page_size=2&ordering=price",
    ]


def redis_commands():
    """Commands the default Redis server has run, the INFO asking for them aside."""
    stats = get_redis_connection("default").info("commandstats")
    return sum(row["calls"] for name, row in stats.items() if name != "cmdstat_info")


@pytest.fixture
def local_copies(settings):
    """Per-process copies on, as in production, and forgotten afterwards: the next test flushes Redis."""
    settings.READY_JSON_LOCAL_SECONDS = 0.5
    services.catalog_cache.forget_local()
    yield
    services.catalog_cache.forget_local()


def dead_redis(settings):
    caches = {alias: dict(conf) for alias, conf in settings.CACHES.items()}
    caches["default"]["LOCATION"] = f"{DEAD_REDIS}/0"
    return override_settings(CACHES=caches)


def test_breadcrumb_is_cached_until_a_category_or_channel_changes(
    api_client, goods, django_assert_num_queries, django_capture_on_commit_callbacks
):
    url = f"/categories/{goods.category3_id}/"
    first = api_client.get(url)
    assert first["Content-Type"] == "application/json"
    with django_assert_num_queries(0):
        assert api_client.get(url).content == first.content

    with django_capture_on_commit_callbacks(execute=True):
        level2 = GoodsCategory.objects.get(id=goods.category2_id)
        level2.name = "改名"
        level2.save()
    assert api_client.get(url).json()["cat2"]["name"] == "改名"

    with django_capture_on_commit_callbacks(execute=True):
        channel = GoodsChannel.objects.get(category_id=goods.category1_id)
        channel.url = "http://new.meiduo.site"
        channel.save()
    assert api_client.get(url).json()["cat1"]["url"] == "http://new.meiduo.site"


def test_a_cached_answer_is_one_redis_round_trip(api_client, goods, django_assert_num_queries):
    for path in catalog_paths(goods):
        api_client.get(path)
        before = redis_commands()
        with django_assert_num_queries(0):
            assert api_client.get(path).status_code == 200
        assert redis_commands() - before == 1, path


def test_worker_copies_answer_without_redis_and_follow_changes(api_client, goods, local_copies):
    paths = catalog_paths(goods)
    bodies = [api_client.get(path).content for path in paths]
    before = redis_commands()
    assert [api_client.get(path).content for path in paths] == bodies
    assert redis_commands() == before

    # A change in this process shows at once.
    services.bump_catalog_version()
    hot = f"/categories/{goods.category3_id}/hotskus/"
    GoodsCategory.objects.filter(id=goods.category3_id).update(name="本进程改的")
    assert api_client.get(f"/categories/{goods.category3_id}/").json()["cat3"]["name"] == "本进程改的"
    assert api_client.get(hot).content == bodies[1]

    # Another process's bump (another worker, a command) reaches Redis only: it shows once the copies age.
    GoodsCategory.objects.filter(id=goods.category3_id).update(name="别的进程改的")
    get_redis_connection("default").incr(services.catalog_cache.raw_key(services.CATALOG_VERSION_KEY))
    assert api_client.get(f"/categories/{goods.category3_id}/").json()["cat3"]["name"] == "本进程改的"
    time.sleep(0.6)
    assert api_client.get(f"/categories/{goods.category3_id}/").json()["cat3"]["name"] == "别的进程改的"


def test_catalog_answers_come_from_the_database_while_redis_is_down(api_client, goods, settings):
    paths = catalog_paths(goods) + [f"/categories/{goods.category3_id}/skus/?page=9"]
    expected = [(response.status_code, response.content) for response in map(api_client.get, paths)]
    assert [status for status, _ in expected] == [200, 200, 200, 200, 404]
    with dead_redis(settings):
        assert [(response.status_code, response.content) for response in map(api_client.get, paths)] == expected
    assert [(response.status_code, response.content) for response in map(api_client.get, paths)] == expected


def test_page_links_follow_the_host_and_the_count(api_client, goods, django_capture_on_commit_callbacks):
    url = f"/categories/{goods.category3_id}/skus/"
    query = {"page_size": 2, "page": 2}
    assert api_client.get(url, query).json()["next"] is None  # 3 SKUs: page 2 is the last
    other_host = api_client.get(url, query, HTTP_HOST="api.meiduo.site").json()
    assert other_host["previous"] == f"http://api.meiduo.site{url}?page_size=2"
    with django_capture_on_commit_callbacks(execute=True):
        SKUFactory.create_batch(2, goods=goods)
    body = api_client.get(url, query).json()
    assert body["count"] == 5
    assert body["next"] == f"http://testserver{url}?page_size=2&page=3"
    assert body["previous"] == f"http://testserver{url}?page_size=2"


@pytest.fixture
def crowded_category(goods):
    """17 launched SKUs with ties in price and sales (the id decides), two hidden ones among them."""
    for number in range(14):
        SKUFactory(goods=goods, price=Decimal(10 + number % 4), sales=number % 3)
    SKUFactory.create_batch(2, goods=goods, is_launched=False, price=Decimal(11))
    return goods.category3_id


def expected_ids(category_id, ordering, page, page_size):
    rows = SKU.objects.filter(category_id=category_id, is_launched=True).order_by(*services.LIST_ORDERINGS[ordering])
    return list(rows.values_list("id", flat=True)[(page - 1) * page_size : page * page_size])


@pytest.mark.parametrize("ordering", list(services.LIST_ORDERINGS))
def test_deep_pages_from_marks_are_the_pages_an_offset_gives(api_client, crowded_category, settings, ordering):
    settings.LIST_MARK_STRIDE = 3
    url = f"/categories/{crowded_category}/skus/"
    for page_size, pages in ((2, (9, 4, 1, 7, 2, 8)), (5, (4, 2, 3, 1)), (1, (17, 3, 16))):
        for page in pages:
            body = api_client.get(url, {"ordering": ordering, "page_size": page_size, "page": page}).json()
            assert body["count"] == 17
            assert [row["id"] for row in body["results"]] == expected_ids(crowded_category, ordering, page, page_size)


def test_a_deep_page_walks_each_stride_once_then_seeks(api_client, crowded_category, settings):
    settings.LIST_MARK_STRIDE = 3
    url = f"/categories/{crowded_category}/skus/"
    with CaptureQueriesContext(connection) as first:
        api_client.get(url, {"ordering": "price", "page_size": 1, "page": 16})
    # category check, count, the walk to the fifth mark and the marks' prices, the page's ids, its rows
    assert len(first) == 6
    with CaptureQueriesContext(connection) as later:
        api_client.get(url, {"ordering": "price", "page_size": 1, "page": 14})
    assert len(later) == 2
    page_query = next(query["sql"] for query in later if "LIMIT" in query["sql"])
    assert "OFFSET 1" in page_query and "`tb_sku`.`price` >" in page_query
