from django.core.management import BaseCommand

from meiduo_mall.apps.areas.services import load_areas


class Command(BaseCommand):
    help = "Load the national province/city/district table (areas/data/areas.json); safe to run again."

    def handle(self, *args, **options):
        created, updated = load_areas()
        self.stdout.write(f"areas: {created} created, {updated} updated")
