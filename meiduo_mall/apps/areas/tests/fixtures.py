import pytest

from meiduo_mall.apps.areas.services import load_areas


@pytest.fixture
def areas(db):
    """The national area table (about 3,400 rows) loaded the way `manage.py load_areas` does."""
    load_areas()
