from django.core.management import BaseCommand

from meiduo_mall.apps.contents.management.pages_dir import add_pages_dir_argument
from meiduo_mall.apps.contents.shop_pages import build_shop_pages


class Command(BaseCommand):
    help = "Render the shop's pages (templates/pages/) to plain <name>.html files; run at set-up and deploy."
    # Only templates are read: `make run` and `make test` build the pages before anything else is set up.
    requires_system_checks = []

    def add_arguments(self, parser):
        add_pages_dir_argument(parser)

    def handle(self, *args, pages_dir, **options):
        written = build_shop_pages(pages_dir)
        self.stdout.write(f"{len(written)} pages written to {pages_dir}")
