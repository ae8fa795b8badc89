from contextlib import nullcontext

from django.core.management import BaseCommand
from tqdm import tqdm

from meiduo_mall.apps.goods.detail_page import generate_sku_detail_html
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.goods.static_html import category_menu
from meiduo_mall.utils.db_router import replica_reads, wait_for_replica

REPLICA_CATCH_UP_SECONDS = 60


class Command(BaseCommand):
    help = "Regenerate goods/<sku_id>.html for every SKU (launched ones written, others removed)."

    def handle(self, *args, **options):
        # The pages are read from the replica only once it holds everything committed before the command
        # started (a bulk load just before, say): a page built from a lagging copy stays until the SKU changes.
        with replica_reads() if wait_for_replica(REPLICA_CATCH_UP_SECONDS) else nullcontext():
            self.regenerate()

    def regenerate(self):
        menu = category_menu()
        sku_ids = list(SKU.objects.order_by("id").values_list("id", flat=True))
        written = sum(generate_sku_detail_html(sku_id, menu) for sku_id in tqdm(sku_ids, unit="页", file=self.stderr))
        self.stdout.write(f"{written} detail pages written, {len(sku_ids) - written} skipped")
