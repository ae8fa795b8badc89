import pytest
from haystack import connections

from meiduo_mall.apps.goods.demo.seed import seed_catalog
from meiduo_mall.apps.goods.models import SKU, Brand, BrandAlias, SearchSynonym
from meiduo_mall.apps.goods.search import quality
from meiduo_mall.apps.goods.search.services import expand, normal_terms, one_edit_apart
from meiduo_mall.apps.goods.tests.fixtures import sku_in_general_store


@pytest.fixture
def search_index(db):
    backend = connections["default"].get_backend()
    backend.clear()
    yield backend
    backend.clear()


def index_all(backend):
    index = connections["default"].get_unified_index().get_index(SKU)
    backend.update(index, index.index_queryset())


def found(api_client, text):
    return [hit["name"] for hit in api_client.get("/skus/search/", {"text": text, "page_size": 20}).json()["results"]]


@pytest.mark.django_db
def test_shopper_queries_over_the_demo_catalog_reach_recall_and_precision_at_10_of_0_9(api_client, search_index):
    seed_catalog()
    index_all(search_index)

    figures, recall, precision = quality.evaluate(api_client)

    assert len(figures) >= 40
    assert recall >= 0.9 and precision >= 0.9, quality.report(figures, recall, precision)


def test_sizes_and_glued_models_are_cut_the_same_way_in_the_index_and_the_query():
    assert normal_terms("64GB") == normal_terms("64g") == ["64g"]
    assert normal_terms("Mate30") == ["mate", "30"]
    assert normal_terms("手机") == ["手机"]
    assert one_edit_apart("iphnoe", "iphone") and one_edit_apart("macbok", "macbook")
    assert not one_edit_apart("ipad", "iphone")


@pytest.mark.django_db
def test_an_alias_and_a_synonym_added_in_the_back_office_reach_the_next_search(api_client, search_index):
    sku = sku_in_general_store(name="三星 Galaxy 智能手机")
    sku_in_general_store(name="不锈钢保温杯")
    index_all(search_index)
    assert found(api_client, "Samsung") == []

    brand = Brand.objects.create(name="三星", first_letter="S", logo="")
    BrandAlias.objects.create(brand=brand, name="Samsung")
    SearchSynonym.objects.create(words="手机,大哥大")

    assert found(api_client, "samsung") == [sku.name]
    assert found(api_client, "大哥大") == [sku.name]
    assert expand("samsung") == [[["samsung"], ["三星"]]]


@pytest.mark.django_db
def test_when_no_sku_has_every_word_those_with_the_most_words_come_first(api_client, search_index):
    both = sku_in_general_store(name="纯棉 儿童 睡衣")
    one = sku_in_general_store(name="纯棉 毛巾")
    index_all(search_index)

    assert found(api_client, "纯棉 儿童 月球车") == [both.name, one.name]
    assert found(api_client, "纯棉 儿童") == [both.name]


@pytest.mark.django_db
def test_equally_relevant_hits_come_the_best_selling_first(api_client, search_index):
    for sales in (5, 500, 50):
        sku_in_general_store(name=f"纯棉毛巾 销量{sales}", sales=sales)
    index_all(search_index)

    assert found(api_client, "毛巾") == ["纯棉毛巾 销量500", "纯棉毛巾 销量50", "纯棉毛巾 销量5"]


@pytest.mark.django_db
def test_suggestions_offer_the_goods_and_categories_found_by_an_alias_or_a_beginning(api_client, search_index):
    seed_catalog()
    index_all(search_index)

    by_alias = api_client.get("/skus/search/suggest/", {"text": "苹果"}).json()
    assert set(by_alias["names"]) == {"Apple iPhone 8 Plus", "Apple MacBook Pro 13"}
    assert {category["name"] for category in by_alias["categories"]} >= {"手机", "笔记本"}

    typing = api_client.get("/skus/search/suggest/", {"text": "华"}).json()
    assert typing["names"] and all(name.startswith("华为") for name in typing["names"])

    assert api_client.get("/skus/search/suggest/", {"text": ""}).json() == {"names": [], "categories": []}
    assert api_client.get("/skus/search/suggest/", {"text": "长" * 51}).status_code == 400


@pytest.mark.django_db
def test_operators_add_a_synonym_and_an_alias_in_the_back_office(api_client, search_index, staff_client):
    sku = sku_in_general_store(name="摩托罗拉 智能手机")
    index_all(search_index)
    brand = Brand.objects.create(name="摩托罗拉", first_letter="M", logo="")

    assert staff_client.get("/admin/goods/searchsynonym/").status_code == 200
    response = staff_client.post("/admin/goods/brandalias/add/", {"brand": brand.id, "name": "Motorola"})
    assert response.status_code == 302
    response = staff_client.post("/admin/goods/searchsynonym/add/", {"words": "手机，手提电话"})
    assert response.status_code == 302

    assert found(api_client, "motorola 手提电话") == [sku.name]
