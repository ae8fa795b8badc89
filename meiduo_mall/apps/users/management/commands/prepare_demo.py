from django.core.management import BaseCommand, call_command

from meiduo_mall.apps.users.models import User

# Steps of the embedded demo after `migrate`; each one is idempotent and quick when done.
DEMO_STEPS = [("load_areas", {}), ("seed_demo", {}), ("build_search_index", {}), ("generate_index_html", {})]


class Command(BaseCommand):
    help = "Prepare the embedded demo: the demo shopper (also staff, for /admin/) and demo data."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="demo12345")

    def handle(self, *args, username, password, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, mobile="13800000000", email="demo@meiduo.site")
        user.is_staff = True
        user.is_superuser = True
        if not user.check_password(password):
            user.set_password(password)
        user.save()
        for command, kwargs in DEMO_STEPS:
            call_command(command, **kwargs)
