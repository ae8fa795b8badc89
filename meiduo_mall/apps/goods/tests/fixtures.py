"""The catalog in tests: `sku`; for the search tests, SKUs in a category no search matches and the check of
a search's one hit."""

import pytest

from tests.factories import SKUFactory, category_tree

HIT_OBJECT_FIELDS = ("id", "name", "price", "default_image_url", "comments")


@pytest.fixture
def sku(db):
    """One launched SKU (price 100.00, stock 10) in its own category chain."""
    return SKUFactory()


def sku_in_general_store(**fields):
    """An SKU whose category and brand share no words with the searches of the tests."""
    return SKUFactory(goods__tree=category_tree(("百货", "日用百货", "杂货")), **fields)


def only_hit(response, sku):
    """The one hit of a search answer, checked to be `sku` with its fields flat and again under `object`."""
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    hit = body["results"][0]
    assert hit["id"] == sku.id
    assert hit["name"] == sku.name
    assert hit["object"] == {key: hit[key] for key in HIT_OBJECT_FIELDS}
    return hit
