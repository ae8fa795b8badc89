from django.core.management import BaseCommand, call_command
from haystack.query import SearchQuerySet

from meiduo_mall.apps.goods.models import SKU


class Command(BaseCommand):
    help = (
        "Build the SKU search index when it is empty (or always with --rebuild). "
        "Saves keep it current afterwards; bulk loads that bypass signals need --rebuild."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild even when the index has documents")

    def handle(self, *args, rebuild=False, **options):
        # A query with no terms matches nothing in Whoosh; filtering on the model field matches every SKU.
        if not rebuild and SearchQuerySet().filter(django_ct=SKU._meta.label_lower).count() > 0:
            return
        call_command("rebuild_index", interactive=False, verbosity=options.get("verbosity", 1))
