"""The demo's promotions (`manage.py prepare_demo`): the freight rule 标准运费 and the coupon centre's coupons, seeded
once after the catalog and the areas, and the demo shopper's first coupon.

The benchmarks' database is seeded by seed_demo alone, so it keeps the flat ORDER_FREIGHT it was measured with.
"""

from decimal import Decimal

from django.db import transaction

from meiduo_mall.apps.areas.models import Area
from meiduo_mall.apps.goods.models import GoodsCategory
from meiduo_mall.apps.orders.models import FreightRule, FreightSurcharge

from .exceptions import CouponError
from .models import Coupon
from .services import claim_coupon

FREIGHT_RULE = {"name": "标准运费", "base_fee": Decimal("10.00"), "free_over": Decimal("99.00")}
# Remote provinces pay this on top, even when the order ships free; found by the start of their name.
SURCHARGE = Decimal("20.00")
REMOTE_PROVINCES = ("新疆", "西藏")
# A copy is good for this many days from the moment a member gets it, so a demo started long ago still offers them.
VALID_DAYS = 30
PHONES = "手机"  # the level-1 category (channel) of the demo catalog: phones, operators' deals, accessories
COUPONS = [
    {
        "name": "全场满100减10",
        "kind": Coupon.Kind.SPEND_AND_SAVE,
        "threshold": Decimal("100.00"),
        "amount": Decimal("10.00"),
        "total_quantity": 1000,
    },
    {
        "name": "全场满300减30",
        "kind": Coupon.Kind.SPEND_AND_SAVE,
        "threshold": Decimal("300.00"),
        "amount": Decimal("30.00"),
        "total_quantity": 500,
    },
    {
        "name": "手机9折券",
        "kind": Coupon.Kind.PERCENT_OFF,
        "percent_off": 10,
        "max_discount": Decimal("50.00"),
        "scope": Coupon.Scope.CATEGORIES,
        "total_quantity": 200,
    },
    {
        "name": "新人无门槛5元券",
        "kind": Coupon.Kind.NO_THRESHOLD,
        "amount": Decimal("5.00"),
        "total_quantity": 100000,
        "is_public": False,
        "for_new_members": True,
    },
]
# What the demo shopper holds from the start, so the first checkout can use a coupon.
DEMO_MEMBER_COUPON = "全场满100减10"


def seed_promotions(write):
    """The freight rule and the coupons, each once: a demo that has any keeps what its operators made of them."""
    with transaction.atomic():
        if FreightRule.objects.exists():
            write("freight rules already seeded")
        else:
            seed_freight_rule(write)
        if Coupon.objects.exists():
            write("demo coupons already seeded")
        else:
            seed_coupons(write)


def seed_freight_rule(write):
    rule = FreightRule.objects.create(**FREIGHT_RULE)
    provinces = [Area.objects.filter(parent=None, name__startswith=name).first() for name in REMOTE_PROVINCES]
    if None in provinces:
        write(f"freight rule {rule.name} without surcharges: 新疆 and 西藏 need the areas (manage.py load_areas)")
        return
    FreightSurcharge.objects.bulk_create(
        [FreightSurcharge(rule=rule, province=province, fee=SURCHARGE) for province in provinces]
    )
    write(
        f"freight rule {rule.name}: ¥{rule.base_fee}, free from ¥{rule.free_over}, ¥{SURCHARGE} more to 新疆 and 西藏"
    )


def seed_coupons(write):
    phones = GoodsCategory.objects.filter(parent=None, name=PHONES).first()
    made = []
    for fields in COUPONS:
        if fields.get("scope") == Coupon.Scope.CATEGORIES and phones is None:
            write(f"no coupon {fields['name']}: the demo catalog has no category {PHONES} (manage.py seed_demo)")
            continue
        coupon = Coupon.objects.create(valid_days=VALID_DAYS, **fields)
        if coupon.scope == Coupon.Scope.CATEGORIES:
            coupon.categories.set([phones])
        made.append(coupon.name)
    write(f"demo coupons: {'、'.join(made)}")


def give_demo_member_coupon(user, write):
    """The demo shopper claims DEMO_MEMBER_COUPON once: one who used or let it lapse has had it."""
    if user.coupons.exists():
        return
    coupon = Coupon.objects.filter(name=DEMO_MEMBER_COUPON).first()
    if coupon is None:
        write(f"{user.username} holds no coupon: {DEMO_MEMBER_COUPON} is not among the coupons")
        return
    try:
        claim_coupon(user, coupon.pk)
    except CouponError as exc:
        write(f"{user.username} holds no coupon: {exc.message}")
