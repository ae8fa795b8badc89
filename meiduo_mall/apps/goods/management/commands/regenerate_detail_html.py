import time
from contextlib import nullcontext

from django.core.management import BaseCommand

from meiduo_mall.apps.goods.detail_page import (
    detail_page_path,
    generate_detail_pages,
    page_candidates,
    page_fingerprints,
    render_menu_html,
    written_fingerprint,
    written_page_ids,
)
from meiduo_mall.apps.goods.static_html import category_menu, remove_static_html
from meiduo_mall.utils.db_router import replica_reads, wait_for_replica

REPLICA_CATCH_UP_SECONDS = 60
FINGERPRINT_BATCH = 2000
# SKUs whose pages are read and rendered together: a few queries for the whole batch.
RENDER_BATCH = 200


class Command(BaseCommand):
    # The checks import the URL table, and with it the search engine and jieba's dictionary: seconds of nothing.
    requires_system_checks = []
    help = (
        "Bring goods/<sku_id>.html up to date: pages of launched SKUs whose content changed are written, "
        "pages of SKUs that no longer get one removed, the rest left alone (--all: write every page)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="write every page, changed or not")

    def handle(self, *args, all=False, **options):
        # The pages are read from the replica only once it holds everything committed before the command
        # started (a bulk load just before, say): a page built from a lagging copy stays until the SKU changes.
        with replica_reads() if wait_for_replica(REPLICA_CATCH_UP_SECONDS) else nullcontext():
            self.regenerate(everything=all)

    def regenerate(self, everything):
        started = time.monotonic()
        menu = category_menu()
        menu_html = render_menu_html(menu)
        candidates = list(page_candidates())
        written = unchanged = 0
        for start in range(0, len(candidates), FINGERPRINT_BATCH):
            batch = candidates[start : start + FINGERPRINT_BATCH]
            fingerprints = page_fingerprints(menu, batch)
            changed = [
                sku_id
                for sku_id in batch
                if everything or sku_id not in fingerprints or written_fingerprint(sku_id) != fingerprints[sku_id]
            ]
            unchanged += len(batch) - len(changed)
            for start_page in range(0, len(changed), RENDER_BATCH):
                pages = changed[start_page : start_page + RENDER_BATCH]
                written += len(generate_detail_pages(pages, menu, fingerprints, menu_html))
        # Pages of SKUs taken off sale, deleted or without their specs any more.
        stale = written_page_ids() - set(candidates)
        for sku_id in stale:
            remove_static_html(detail_page_path(sku_id))
        removed = len(stale) + len(candidates) - written - unchanged
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{written} detail pages written, {unchanged} unchanged, {removed} removed in {elapsed:.1f} s"
            + (f" ({written / elapsed:.0f} pages/s)" if written and elapsed else "")
        )
