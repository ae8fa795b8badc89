from django.core.management import BaseCommand
from tqdm import tqdm

from meiduo_mall.apps.goods.detail_page import generate_sku_detail_html
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.goods.static_html import category_menu


class Command(BaseCommand):
    help = "Regenerate goods/<sku_id>.html for every SKU (launched ones written, others removed)."

    def handle(self, *args, **options):
        menu = category_menu()
        sku_ids = list(SKU.objects.order_by("id").values_list("id", flat=True))
        written = sum(generate_sku_detail_html(sku_id, menu) for sku_id in tqdm(sku_ids, unit="页", file=self.stderr))
        self.stdout.write(f"{written} detail pages written, {len(sku_ids) - written} skipped")
