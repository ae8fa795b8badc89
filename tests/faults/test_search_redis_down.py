"""Redis stopped: search and its suggestions keep nothing of their own in Redis (the aliases, synonyms and
suggestions are only cached there), so both answer the same from the database and the index."""

import pytest
from haystack import connections

from meiduo_mall.apps.goods.models import SKU, Brand, BrandAlias
from meiduo_mall.apps.goods.tests.fixtures import sku_in_general_store

pytestmark = pytest.mark.django_db


def test_search_and_suggestions_answer_the_same_without_redis(shop_redis, api_client):
    backend = connections["default"].get_backend()
    backend.clear()
    BrandAlias.objects.create(brand=Brand.objects.create(name="Apple", first_letter="A", logo=""), name="苹果")
    sku_in_general_store(name="Apple iPhone 15 智能手机")
    index = connections["default"].get_unified_index().get_index(SKU)
    backend.update(index, index.index_queryset())
    paths = ["/skus/search/?text=苹果", "/skus/search/?text=苹果 月球车", "/skus/search/suggest/?text=苹果"]
    cached = {path: api_client.get(path).json() for path in paths}
    assert all(cached[path]["count"] == 1 for path in paths[:2]) and cached[paths[2]]["names"]

    shop_redis.stop()

    for path in paths:
        response = api_client.get(path)
        assert response.status_code == 200, path
        assert response.json() == cached[path], path
    backend.clear()
