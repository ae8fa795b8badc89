from django.core.management import BaseCommand, call_command

from meiduo_mall.apps.coupons.demo import give_demo_member_coupon, seed_promotions
from meiduo_mall.apps.users.address_services import create_address
from meiduo_mall.apps.users.models import User

# Steps of the embedded demo after `migrate`; each one is idempotent and quick when done.
DEMO_STEPS = [("load_areas", {}), ("seed_demo", {}), ("build_search_index", {}), ("generate_index_html", {})]
# The demo shopper's saved address, so that the first checkout goes through. Area ids are the national
# codes (北京市, 北京市, 东城区), loaded by load_areas.
DEMO_ADDRESS = {
    "title": "家",
    "receiver": "张三",
    "province_id": 110000,
    "city_id": 110100,
    "district_id": 110101,
    "place": "东华门街道1号",
    "mobile": "13800000000",
}


class Command(BaseCommand):
    help = "Prepare the embedded demo: the demo shopper (also staff, for /admin/) with an address, and demo data."

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
        # After the catalog and the areas: the coupon for 手机 and the surcharges for 新疆 and 西藏 name them.
        seed_promotions(self.stdout.write)
        give_demo_member_coupon(user, self.stdout.write)
        # A shopper who deleted every address keeps it that way until the next fresh demo: only a
        # member with no address at all gets one.
        if not user.addresses.exists():
            create_address(user, **DEMO_ADDRESS)
