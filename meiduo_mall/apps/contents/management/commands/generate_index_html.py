from django.core.management import BaseCommand

from meiduo_mall.apps.contents.index_page import generate_index_html


class Command(BaseCommand):
    help = "Render the home page to GENERATED_STATIC_HTML_FILES_DIR/index.html (beat does it every 5 minutes)."

    def handle(self, *args, **options):
        self.stdout.write(f"home page written to {generate_index_html()}")
