"""Recall and precision@10 of the shop's search over the demo catalog (goods/search/quality.py).

    .venv/bin/python scripts/search_quality.py

Runs on a throwaway test database (test_<DB_NAME>, MariaDB of the test settings) seeded with the demo
catalog and indexed by the configured embedded engine; prints every query's figures and the overall means.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meiduo_mall.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from haystack import connections  # noqa: E402

from meiduo_mall.apps.goods.demo.seed import seed_catalog  # noqa: E402
from meiduo_mall.apps.goods.models import SKU  # noqa: E402
from meiduo_mall.apps.goods.search import quality  # noqa: E402


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        seed_catalog()
        backend = connections["default"].get_backend()
        backend.clear()
        index = connections["default"].get_unified_index().get_index(SKU)
        backend.update(index, index.index_queryset())
        figures, recall, precision = quality.evaluate(Client())
        print(quality.report(figures, recall, precision))
        backend.clear()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0 if recall >= 0.9 and precision >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
