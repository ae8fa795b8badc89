import os
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from haystack import connections

from meiduo_mall.apps.goods.tests.fixtures import only_hit, sku_in_general_store
from tests.factories import SKUFactory


@pytest.fixture
def search_index(db):
    """An empty search index for this test, emptied again afterwards."""
    backend = connections["default"].get_backend()
    backend.clear()
    yield backend
    backend.clear()


def index_now(django_capture_on_commit_callbacks, **sku_fields):
    with django_capture_on_commit_callbacks(execute=True):
        return sku_in_general_store(**sku_fields)


@pytest.mark.django_db
def test_chinese_words_inside_a_name_are_found(api_client, search_index, django_capture_on_commit_callbacks):
    phone = index_now(django_capture_on_commit_callbacks, name="华为 HUAWEI P60 智能手机", price=Decimal("4988.00"))
    index_now(django_capture_on_commit_callbacks, name="小米空气净化器")

    response = api_client.get("/skus/search/", {"text": "手机", "page": 1, "page_size": 6})

    hit = only_hit(response, phone)
    assert hit["price"] == "4988.00"


@pytest.mark.django_db
def test_results_are_paginated(api_client, search_index, django_capture_on_commit_callbacks):
    for n in range(8):
        index_now(django_capture_on_commit_callbacks, name=f"男士衬衫 款式{n}")

    first = api_client.get("/skus/search/", {"text": "衬衫", "page": 1, "page_size": 6}).json()
    second = api_client.get("/skus/search/", {"text": "衬衫", "page": 2, "page_size": 6}).json()

    assert first["count"] == 8
    assert len(first["results"]) == 6 and len(second["results"]) == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


@pytest.mark.django_db
def test_an_sku_taken_off_sale_leaves_the_index(api_client, search_index, django_capture_on_commit_callbacks):
    sku = index_now(django_capture_on_commit_callbacks, name="蓝牙耳机")
    assert api_client.get("/skus/search/", {"text": "耳机"}).json()["count"] == 1

    sku.is_launched = False
    with django_capture_on_commit_callbacks(execute=True):
        sku.save()

    assert api_client.get("/skus/search/", {"text": "耳机"}).json()["count"] == 0


@pytest.mark.django_db
def test_rebuilding_the_index_covers_launched_skus_only(api_client, search_index):
    sku_in_general_store(name="电饭煲 三升")
    sku_in_general_store(name="电饭煲 五升", is_launched=False)

    call_command("rebuild_index", interactive=False, verbosity=0)

    body = api_client.get("/skus/search/", {"text": "电饭煲"}).json()
    assert [hit["name"] for hit in body["results"]] == ["电饭煲 三升"]


@pytest.mark.parametrize("params", [{}, {"text": ""}, {"text": "   "}, {"text": "手" * 51}])
@pytest.mark.django_db
def test_empty_or_huge_queries_are_refused(api_client, search_index, params):
    response = api_client.get("/skus/search/", params)
    assert response.status_code == 400
    assert "message" in response.json()


@pytest.mark.django_db
def test_a_page_beyond_the_results_is_404(api_client, search_index, django_capture_on_commit_callbacks):
    index_now(django_capture_on_commit_callbacks, name="登山鞋")
    assert api_client.get("/skus/search/", {"text": "登山鞋", "page": 5}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("page", [10**6, 2**59 + 1, 10**30])
def test_a_far_page_is_404_and_the_search_still_answers(
    api_client, search_index, django_capture_on_commit_callbacks, page
):
    # The fuzz tests found it: a window sized by the page number overflowed tantivy (a panic, or an abort of
    # the worker process).
    shoes = index_now(django_capture_on_commit_callbacks, name="登山鞋")

    response = api_client.get("/skus/search/", {"text": "登山鞋", "page": page, "page_size": 20})

    assert response.status_code == 404
    assert response.json() == {"detail": "无效页面。"}
    only_hit(api_client.get("/skus/search/", {"text": "登山鞋"}), shoes)


@pytest.mark.django_db
def test_build_search_index_fills_an_empty_index_and_leaves_a_built_one(api_client, search_index):
    sku_in_general_store(name="儿童自行车")
    call_command("build_search_index", verbosity=0)
    assert api_client.get("/skus/search/", {"text": "自行车"}).json()["count"] == 1

    sku_in_general_store(name="山地自行车")  # on_commit never runs here: the index does not learn of it
    call_command("build_search_index", verbosity=0)
    assert api_client.get("/skus/search/", {"text": "自行车"}).json()["count"] == 1

    call_command("build_search_index", rebuild=True, verbosity=0)
    assert api_client.get("/skus/search/", {"text": "自行车"}).json()["count"] == 2


@pytest.mark.django_db
def test_goods_are_found_by_their_category_and_brand(api_client, search_index):
    sku = SKUFactory(name="Apple iPhone 15 黑色 128GB")
    sku.category.name = "手机"
    sku.category.save()
    sku.goods.brand.name = "苹果"
    sku.goods.brand.save()
    call_command("build_search_index", rebuild=True, verbosity=0)

    for words in ("手机", "苹果"):
        assert [hit["id"] for hit in api_client.get("/skus/search/", {"text": words}).json()["results"]] == [sku.id]


@pytest.mark.django_db
def test_counts_and_pages_are_exact_over_many_hits(api_client, search_index):
    for n in range(45):
        sku_in_general_store(name=f"保温杯 {n}号")
    sku_in_general_store(name="电热水壶")
    call_command("build_search_index", rebuild=True, verbosity=0)

    pages = [api_client.get("/skus/search/", {"text": "保温杯", "page": n, "page_size": 10}).json() for n in (1, 5)]

    assert [page["count"] for page in pages] == [45, 45]
    assert [len(page["results"]) for page in pages] == [10, 5]
    assert pages[0]["next"].endswith("page=2&page_size=10&text=%E4%BF%9D%E6%B8%A9%E6%9D%AF")
    assert pages[1]["next"] is None and pages[1]["previous"]
    assert api_client.get("/skus/search/", {"text": "保温杯", "page": 6, "page_size": 10}).status_code == 404


@pytest.mark.django_db
def test_latin_words_match_whatever_their_case_and_punctuation_alone_finds_nothing(api_client, search_index):
    sku = sku_in_general_store(name="华为 HUAWEI Mate60 手机壳")
    call_command("build_search_index", rebuild=True, verbosity=0)

    assert [hit["id"] for hit in api_client.get("/skus/search/", {"text": "huawei"}).json()["results"]] == [sku.id]
    assert [hit["id"] for hit in api_client.get("/skus/search/", {"text": "华为手机壳"}).json()["results"]] == [sku.id]
    for text in ("!!!", '"\\', "手机壳 OR *"):
        response = api_client.get("/skus/search/", {"text": text})
        assert response.status_code == 200
    assert api_client.get("/skus/search/", {"text": "!!!"}).json()["count"] == 0


@pytest.mark.django_db
def test_a_rebuild_replaces_the_whole_index(api_client, search_index, django_capture_on_commit_callbacks):
    gone = index_now(django_capture_on_commit_callbacks, name="折叠雨伞 旧款")
    sku_in_general_store(name="折叠雨伞 新款")
    gone.delete()  # no on_commit here: only the rebuild learns of it

    call_command("build_search_index", rebuild=True, verbosity=0)

    assert [hit["name"] for hit in api_client.get("/skus/search/", {"text": "雨伞"}).json()["results"]] == [
        "折叠雨伞 新款"
    ]


def test_index_words_cut_every_dictionary_word_and_queries_the_precise_ones():
    from meiduo_mall.apps.goods.search.backends.tantivy_jieba import index_words, query_words

    assert index_words("华为 HUAWEI 智能手机，5G") == "华为 huawei 智能 能手 手机 智能手机 5g"
    assert query_words("华为智能手机!") == ["华为", "智能手机"]


def test_an_index_that_cannot_be_opened_is_unavailable_not_empty(tmp_path):
    from meiduo_mall.apps.goods.exceptions import SearchUnavailable
    from meiduo_mall.apps.goods.search.backends.tantivy_jieba import TantivySearchBackend

    not_a_directory = tmp_path / "index"
    not_a_directory.write_text("")
    backend = TantivySearchBackend("default", PATH=str(not_a_directory))

    with pytest.raises(SearchUnavailable):
        backend.search('(text:"手机")', start_offset=0, end_offset=5)


@pytest.mark.django_db
def test_a_commit_made_by_another_process_reaches_this_ones_searches(
    api_client, search_index, django_capture_on_commit_callbacks
):
    # uwsgi workers, Celery and management commands share the index directory: each one's reader follows
    # the others' commits.
    index_now(django_capture_on_commit_callbacks, name="不锈钢炒锅")
    assert api_client.get("/skus/search/", {"text": "炒锅"}).json()["count"] == 1

    clear = (
        "import django; django.setup(); from haystack import connections; connections['default'].get_backend().clear()"
    )
    subprocess.run([sys.executable, "-c", clear], check=True, cwd=settings.BASE_DIR, env=os.environ)

    deadline = time.monotonic() + 5
    while api_client.get("/skus/search/", {"text": "炒锅"}).json()["count"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert api_client.get("/skus/search/", {"text": "炒锅"}).json()["count"] == 0
