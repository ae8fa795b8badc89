from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand

from meiduo_mall.apps.contents.management.pages_dir import add_pages_dir_argument
from meiduo_mall.utils.origins import host_js


class Command(BaseCommand):
    help = "Write js/host.js (the API origin the shop pages call) from API_ORIGIN; run at deploy, after collectstatic."

    def add_arguments(self, parser):
        add_pages_dir_argument(parser)

    def handle(self, *args, pages_dir, **options):
        target = Path(pages_dir) / "js" / "host.js"
        target.parent.mkdir(parents=True, exist_ok=True)
        # Replaced in one step: nginx never serves half a file.
        partial = target.with_name(".host.js.tmp")
        partial.write_text(host_js(), encoding="utf-8")
        partial.chmod(0o644)
        partial.replace(target)
        self.stdout.write(f"{target}: API origin {settings.API_ORIGIN}")
