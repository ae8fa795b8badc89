"""Search on Elasticsearch 7 + IK, the production engine, against the stand-in of tests/fakes/elasticsearch_server.py.

haystack reads HAYSTACK_CONNECTIONS once, at import; `search_engine` points its connection at the stand-in
and back, so the view, the signal processor and the management commands all run on the real client.
"""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from elasticsearch import Elasticsearch
from elasticsearch.exceptions import RequestError
from haystack import connections

from meiduo_mall.apps.goods.models import SKU, Brand, BrandAlias, SearchSynonym
from meiduo_mall.apps.goods.tests.fixtures import only_hit, sku_in_general_store
from tests.fakes.elasticsearch_server import FakeElasticsearch, unused_url

ENGINE = "meiduo_mall.apps.goods.search.backends.elasticsearch_ik.IKElasticsearchEngine"
STOCK_ENGINE = "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine"
INDEX = "meiduo"
IK_TEXT = {"type": "text", "analyzer": "ik_max_word", "search_analyzer": "ik_smart_synonyms"}
ROOT = Path(__file__).resolve().parents[4]


@contextmanager
def search_engine(url, engine=ENGINE):
    conf = {"default": {"ENGINE": engine, "URL": url, "INDEX_NAME": INDEX, "TIMEOUT": 2}}
    saved = connections.connections_info
    try:
        with override_settings(HAYSTACK_CONNECTIONS=conf):
            connections.connections_info = conf
            connections.reload("default")
            yield
    finally:
        # After the override: an engine reads its options from settings when it is made.
        connections.connections_info = saved
        connections.reload("default")


@pytest.fixture
def fake_es():
    server = FakeElasticsearch().start()
    yield server
    server.stop()


@pytest.fixture
def on_es(fake_es):
    """The shop searching on the stand-in cluster."""
    with search_engine(fake_es.url):
        yield fake_es


def search(api_client, text, **params):
    return api_client.get("/skus/search/", {"text": text, **params})


@pytest.mark.django_db
def test_rebuild_creates_the_index_with_ik_analyzers_in_one_request(on_es):
    sku_in_general_store(name="华为 HUAWEI P60 智能手机")
    sku_in_general_store(name="下架的手机", is_launched=False)

    call_command("build_search_index", rebuild=True, verbosity=0)

    (creation,) = on_es.bodies("PUT", f"/{INDEX}")
    properties = creation["mappings"]["properties"]
    assert properties["text"] == IK_TEXT
    assert properties["name"] == IK_TEXT
    assert properties["django_ct"] == properties["django_id"] == properties["id"] == {"type": "keyword"}
    assert properties["comments"] == {"type": "long"}
    assert "analysis" in creation["settings"]
    assert not on_es.bodies("PUT", f"/{INDEX}/_mapping")
    assert on_es.indices[INDEX].mapping() == creation["mappings"]  # indexing added no field of its own
    assert [source["name"] for source in on_es.indices[INDEX].searchable.values()] == ["华为 HUAWEI P60 智能手机"]


@pytest.mark.django_db
def test_another_process_finds_the_index_built_and_leaves_its_mapping(api_client, on_es):
    sku_in_general_store(name="电动牙刷")
    call_command("build_search_index", rebuild=True, verbosity=0)
    connections.reload("default")  # what a freshly started uwsgi worker holds
    on_es.requests.clear()

    assert search(api_client, "牙刷").json()["count"] == 1

    asked = [(method, path) for method, path, _, _ in on_es.requests]
    assert ("GET", f"/{INDEX}/_mapping") in asked
    assert not [request for request in asked if request[0] in ("PUT", "DELETE")]


@pytest.mark.django_db
def test_a_search_asks_the_text_field_analyzed_by_ik_smart(api_client, on_es):
    phone = sku_in_general_store(name="华为 HUAWEI P60 智能手机", price=Decimal("4988.00"))
    sku_in_general_store(name="小米手表")
    call_command("build_search_index", rebuild=True, verbosity=0)

    response = search(api_client, "手机", page=1, page_size=6)

    hit = only_hit(response, phone)
    assert hit["price"] == "4988.00"
    assert hit["default_image_url"] == phone.default_image_url
    assert hit["comments"] == 0
    assert "手机" in hit["text"]
    last = on_es.searches[-1]
    query = last["body"]["query"]["bool"]
    assert query["must"]["query_string"]["query"] == "(手机)"
    assert query["must"]["query_string"]["default_field"] == "text"
    assert query["must"]["query_string"]["default_operator"] == "AND"
    assert query["filter"] == {"terms": {"django_ct": ["goods.sku"]}}
    assert last["analyzers"] == {"text": "ik_smart_synonyms"}


@pytest.mark.django_db
def test_every_word_typed_must_be_found(api_client, on_es):
    phone = sku_in_general_store(name="华为 HUAWEI P60 智能手机")
    sku_in_general_store(name="小米 智能手机")
    call_command("build_search_index", rebuild=True, verbosity=0)

    body = search(api_client, "华为 手机").json()

    assert [hit["id"] for hit in body["results"]] == [phone.id]
    query_string = on_es.searches[-1]["body"]["query"]["bool"]["must"]["query_string"]
    assert (query_string["query"], query_string["default_operator"]) == ("(华为 手机)", "AND")
    assert on_es.searches[-1]["analyzers"] == {"text": "ik_smart_synonyms"}


@pytest.mark.django_db
def test_brand_aliases_and_synonyms_reach_the_cluster_as_an_ik_synonym_filter(api_client, on_es):
    apple = Brand.objects.create(name="Apple", first_letter="A", logo="")
    BrandAlias.objects.create(brand=apple, name="苹果")
    SearchSynonym.objects.create(words="手机,电话")
    phone = sku_in_general_store(name="Apple iPhone 15 智能手机")
    call_command("build_search_index", rebuild=True, verbosity=0)

    (creation,) = on_es.bodies("PUT", f"/{INDEX}")
    analysis = creation["settings"]["analysis"]
    assert analysis["analyzer"]["ik_smart_synonyms"] == {
        "type": "custom",
        "tokenizer": "ik_smart",
        "filter": ["lowercase", "meiduo_synonyms"],
    }
    rules = analysis["filter"]["meiduo_synonyms"]
    assert rules["type"] == "synonym_graph" and {"手机, 电话", "Apple, 苹果"} <= set(rules["synonyms"])
    assert [hit["id"] for hit in search(api_client, "苹果 电话").json()["results"]] == [phone.id]
    # No SKU has every word: those with any of them.
    assert [hit["id"] for hit in search(api_client, "苹果 月球车").json()["results"]] == [phone.id]


@pytest.mark.django_db
def test_pages_are_asked_of_the_cluster_with_from_and_size(api_client, on_es):
    for n in range(8):
        sku_in_general_store(name=f"男士衬衫 款式{n}")
    call_command("build_search_index", rebuild=True, verbosity=0)

    first = search(api_client, "衬衫", page=1, page_size=6).json()
    searches_before = len(on_es.searches)
    second = search(api_client, "衬衫", page=2, page_size=6).json()

    assert first["count"] == second["count"] == 8
    assert len(first["results"]) == 6 and len(second["results"]) == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    # One search a page: the page's own answer carries the count.
    assert len(on_es.searches) == searches_before + 1
    assert (on_es.searches[-1]["body"]["from"], on_es.searches[-1]["body"]["size"]) == (6, 6)
    assert search(api_client, "衬衫", page=3, page_size=6).status_code == 404


@pytest.mark.django_db
def test_saving_an_sku_indexes_it_after_commit(api_client, on_es, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sku = sku_in_general_store(name="蓝牙耳机")
    assert not on_es.bodies("POST", f"/{INDEX}/_bulk")

    for callback in callbacks:
        callback()

    ((action, source),) = on_es.bodies("POST", f"/{INDEX}/_bulk")
    assert action == {"index": {"_id": f"goods.sku.{sku.id}"}}
    assert source["name"] == "蓝牙耳机"
    assert on_es.bodies("POST", f"/{INDEX}/_refresh")
    assert [hit["id"] for hit in search(api_client, "耳机").json()["results"]] == [sku.id]

    sku.is_launched = False
    with django_capture_on_commit_callbacks(execute=True):
        sku.save()

    assert on_es.bodies("DELETE", f"/{INDEX}/_doc/goods.sku.{sku.id}")
    assert search(api_client, "耳机").json()["count"] == 0


@pytest.mark.django_db
def test_build_search_index_leaves_a_built_index(api_client, on_es):
    sku_in_general_store(name="儿童自行车")
    call_command("build_search_index", verbosity=0)
    sku_in_general_store(name="山地自行车")  # on_commit never runs here: the index does not learn of it

    call_command("build_search_index", verbosity=0)
    assert search(api_client, "自行车").json()["count"] == 1

    call_command("build_search_index", rebuild=True, verbosity=0)
    assert search(api_client, "自行车").json()["count"] == 2


@pytest.mark.django_db
def test_an_index_left_by_the_snowball_mapping_is_refused_until_rebuilt(api_client, fake_es):
    sku_in_general_store(name="电饭煲 三升")
    with search_engine(fake_es.url, engine=STOCK_ENGINE):
        call_command("rebuild_index", interactive=False, verbosity=0)
    assert fake_es.indices[INDEX].properties["text"]["analyzer"] == "snowball"

    with search_engine(fake_es.url):
        response = search(api_client, "电饭煲")
        assert response.status_code == 503

        call_command("build_search_index", rebuild=True, verbosity=0)
        assert fake_es.indices[INDEX].properties["text"] == IK_TEXT
        assert search(api_client, "电饭煲").json()["count"] == 1


@pytest.mark.django_db
def test_search_is_503_when_the_cluster_cannot_be_reached(api_client):
    with search_engine(unused_url()):
        response = search(api_client, "手机")
    assert response.status_code == 503
    assert response.json() == {"message": "搜索服务暂不可用，请稍后再试"}


@pytest.mark.django_db
def test_search_is_503_when_the_cluster_goes_down(api_client, fake_es):
    with search_engine(fake_es.url):
        sku_in_general_store(name="登山鞋")
        call_command("build_search_index", rebuild=True, verbosity=0)
        assert search(api_client, "登山鞋").json()["count"] == 1

        fake_es.stop()
        response = search(api_client, "登山鞋")
    assert response.status_code == 503
    assert response.json()["message"] == "搜索服务暂不可用，请稍后再试"


@pytest.mark.django_db
def test_an_sku_saved_while_the_cluster_is_down_is_saved(django_capture_on_commit_callbacks, caplog):
    with search_engine(unused_url()), django_capture_on_commit_callbacks(execute=True):
        sku = sku_in_general_store(name="保温杯")
    assert SKU.objects.filter(id=sku.id, name="保温杯").exists()
    assert any("on_commit" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_readiness_reports_the_search_engine(client, on_es):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json()["search"] == "ok"

    on_es.stop()
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["search"] == "error: SearchUnavailable"
    assert response.json()["database"] == "ok"


def test_the_stand_in_refuses_analyzers_elasticsearch_does_not_have(fake_es):
    client = Elasticsearch(fake_es.url)
    with pytest.raises(RequestError) as refused:
        client.indices.create(index="smartcn", mappings={"properties": {"t": {"type": "text", "analyzer": "smartcn"}}})
    assert refused.value.error == "mapper_parsing_exception"
    assert "smartcn" not in fake_es.indices

    client.indices.create(
        index="ik",
        mappings={"properties": {"t": {"type": "text", "analyzer": "ik_max_word", "search_analyzer": "ik_smart"}}},
    )
    client.indices.create(
        index="custom",
        settings={"analysis": {"analyzer": {"names": {"type": "custom", "tokenizer": "ik_smart"}}}},
        mappings={"properties": {"t": {"type": "text", "analyzer": "names"}}},
    )
    assert {"ik", "custom"} <= set(fake_es.indices)


def test_production_settings_select_the_ik_engine_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "x" * 50,
        "ELASTICSEARCH_URL": "http://es.internal:9200/",
        "ELASTICSEARCH_INDEX": "shop",
        "ELASTICSEARCH_TIMEOUT": "3",
    }
    code = "import json; from meiduo_mall.settings import prod; print(json.dumps(prod.HAYSTACK_CONNECTIONS))"
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert json.loads(output.stdout) == {
        "default": {"ENGINE": ENGINE, "URL": "http://es.internal:9200/", "INDEX_NAME": "shop", "TIMEOUT": 3.0}
    }
