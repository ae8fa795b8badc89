"""`manage.py seed_demo [--skus N]`: the demo catalog, its reviews and home page ads, once; N bulk SKUs for benchmarks.

It lives in `contents`, the app above `goods`, because it seeds both.
"""

from django.core.management import BaseCommand
from django.db import transaction

from meiduo_mall.apps.goods.demo.seed import seed_bulk_skus, seed_catalog
from meiduo_mall.apps.goods.detail_page import regenerate_detail_html
from meiduo_mall.apps.goods.models import GoodsChannel
from meiduo_mall.apps.goods.services import bump_catalog_version
from meiduo_mall.apps.goods.static_html import category_menu
from meiduo_mall.apps.orders.demo import areas_loaded, count_comments, seed_reviews

from ...demo import seed_home_contents
from ...index_page import generate_index_html


class Command(BaseCommand):
    help = "Seed the demo catalog and home page ads (skipped when present); --skus N tops bulk SKUs up to N."

    def add_arguments(self, parser):
        parser.add_argument("--skus", type=int, default=0, help="bulk SKUs to have for benchmarks")

    def handle(self, *args, skus, **options):
        if GoodsChannel.objects.exists():
            self.stdout.write("demo catalog already seeded")
        else:
            with transaction.atomic():
                sku_ids = seed_catalog()
                seed_home_contents()
                # Before the detail pages are written: their "累计评价 N" counts these reviews.
                if areas_loaded():
                    reviews = seed_reviews(sku_ids)
                else:
                    reviews = count_comments(sku_ids)
                    self.stdout.write("no reviews: their shoppers' address needs the areas (manage.py load_areas)")
            bump_catalog_version()
            menu = category_menu()
            for sku_id in sku_ids:
                regenerate_detail_html(sku_id, menu)
            generate_index_html()
            self.stdout.write(f"seeded {len(sku_ids)} SKUs with {reviews} reviews, and their detail pages")
        if skus:
            seed_bulk_skus(skus, self.stdout.write)
