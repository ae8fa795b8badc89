import time

from django.core.management import BaseCommand, call_command
from haystack import connections
from haystack.query import SearchQuerySet

from meiduo_mall.apps.goods.models import SKU

BATCH_SIZE = 2000


class Command(BaseCommand):
    help = (
        "Build the SKU search index when it is empty (or always with --rebuild). "
        "Saves keep it current afterwards; bulk loads that bypass signals need --rebuild."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild even when the index has documents")

    def handle(self, *args, rebuild=False, **options):
        # Filtering on the model field matches every SKU (a query with no terms matches nothing in Whoosh).
        if not rebuild and SearchQuerySet().filter(django_ct=SKU._meta.label_lower).count() > 0:
            return
        backend = connections["default"].get_backend()
        if not hasattr(backend, "rebuild"):
            call_command("rebuild_index", interactive=False, verbosity=options.get("verbosity", 1))
            return
        # The embedded engine writes everything through one writer and commits once; haystack's rebuild_index
        # would open a writer and commit for every batch of 1 000.
        started = time.monotonic()
        sku_index = connections["default"].get_unified_index().get_index(SKU)
        skus = sku_index.index_queryset().order_by("id").iterator(chunk_size=BATCH_SIZE)
        written = backend.rebuild(sku_index, skus)
        if options.get("verbosity", 1):
            self.stdout.write(f"{written} SKUs indexed in {time.monotonic() - started:.1f} s")
