import pytest

from tests.factories import SKUFactory


@pytest.fixture
def sku(db):
    """One launched SKU (price 100.00, stock 10) in its own category chain."""
    return SKUFactory()
