import multiprocessing
import os
import time
from contextlib import nullcontext

from django import db
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
# Below this many pages to write, forking costs more than it saves.
PARALLEL_FROM_PAGES = 1000
MAX_JOBS = 4


class Command(BaseCommand):
    # The checks import the URL table, and with it the search engine and jieba's dictionary: seconds of nothing.
    requires_system_checks = []
    help = (
        "Bring goods/<sku_id>.html up to date: pages of launched SKUs whose content changed are written, "
        "pages of SKUs that no longer get one removed, the rest left alone (--all: write every page)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="write every page, changed or not")
        parser.add_argument(
            "--jobs",
            type=int,
            help=f"rendering processes (default: one per core, at most {MAX_JOBS}, from {PARALLEL_FROM_PAGES} pages)",
        )

    def handle(self, *args, all=False, jobs=None, **options):
        # The pages are read from the replica only once it holds everything committed before the command
        # started (a bulk load just before, say): a page built from a lagging copy stays until the SKU changes.
        with replica_reads() if wait_for_replica(REPLICA_CATCH_UP_SECONDS) else nullcontext():
            self.regenerate(everything=all, jobs=jobs)

    def regenerate(self, everything, jobs):
        started = time.monotonic()
        menu = category_menu()
        menu_html = render_menu_html(menu)
        candidates = list(page_candidates())
        changed, fingerprints = [], {}
        for start in range(0, len(candidates), FINGERPRINT_BATCH):
            batch = candidates[start : start + FINGERPRINT_BATCH]
            batch_fingerprints = page_fingerprints(menu, batch)
            fingerprints.update(batch_fingerprints)
            changed += [
                sku_id
                for sku_id in batch
                if everything
                or sku_id not in batch_fingerprints
                or written_fingerprint(sku_id) != batch_fingerprints[sku_id]
            ]
        unchanged = len(candidates) - len(changed)
        if jobs is None:
            jobs = min(os.cpu_count() or 1, MAX_JOBS) if len(changed) >= PARALLEL_FROM_PAGES else 1
        written = render_pages(changed, jobs, (menu, fingerprints, menu_html))
        # Pages of SKUs taken off sale, deleted or without their specs any more.
        stale = written_page_ids() - set(candidates)
        for sku_id in stale:
            remove_static_html(detail_page_path(sku_id))
        removed = len(stale) + len(changed) - written
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{written} detail pages written, {unchanged} unchanged, {removed} removed in {elapsed:.1f} s"
            + (f" ({written / elapsed:.0f} pages/s), {jobs} process{'es' if jobs > 1 else ''}" if written else "")
        )


# What every rendering process needs: (menu, fingerprints, menu HTML), set before the workers are forked.
shared_state = None


def render_chunk(sku_ids):
    menu, fingerprints, menu_html = shared_state
    return len(generate_detail_pages(sku_ids, menu, fingerprints, menu_html))


def forget_inherited_connections():
    """A child drops, without closing, any connection the parent still held when it forked (close_all() leaves
    one open inside an atomic block, or in another context of the parent's thread): two processes reading one
    socket get each other's rows."""
    for connection in db.connections.all(initialized_only=True):
        connection.connection = None


def render_pages(sku_ids, jobs, state):
    """Render `sku_ids` in batches, in this process or in `jobs` forked ones. Returns how many were written."""
    global shared_state
    shared_state = state
    if jobs <= 1 or len(sku_ids) <= 1:
        return sum(
            render_chunk(sku_ids[start : start + RENDER_BATCH]) for start in range(0, len(sku_ids), RENDER_BATCH)
        )
    size = min(RENDER_BATCH, -(-len(sku_ids) // jobs))
    chunks = [sku_ids[start : start + size] for start in range(0, len(sku_ids), size)]
    # Forked children must not share the parent's database connections: each opens its own.
    db.connections.close_all()
    with multiprocessing.get_context("fork").Pool(jobs, initializer=forget_inherited_connections) as pool:
        return sum(pool.imap_unordered(render_chunk, chunks))
