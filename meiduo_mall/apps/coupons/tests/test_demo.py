"""The demo's promotions (coupons/demo.py, run by prepare_demo): the freight rule 标准运费 with its surcharges, the
coupon centre's coupons and the demo shopper's 全场满100减10, each made once however often the demo starts."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from meiduo_mall.apps.areas.models import Area
from meiduo_mall.apps.coupons.demo import DEMO_MEMBER_COUPON, give_demo_member_coupon, seed_promotions
from meiduo_mall.apps.coupons.exceptions import CouponNotApplicable
from meiduo_mall.apps.coupons.models import Coupon, MemberCoupon
from meiduo_mall.apps.coupons.pricing import PricedLine, coupon_discount
from meiduo_mall.apps.coupons.scopes import scope_of
from meiduo_mall.apps.coupons.services import usable_member_coupons
from meiduo_mall.apps.orders.freight import active_freight_rule, order_freight
from meiduo_mall.apps.orders.models import FreightRule, FreightSurcharge
from meiduo_mall.apps.users.models import User
from tests.factories import UserFactory, category_tree

pytestmark = pytest.mark.django_db

XINJIANG, TIBET, BEIJING = 650000, 540000, 110000


def remote_provinces():
    Area.objects.create(id=XINJIANG, name="新疆维吾尔自治区")
    Area.objects.create(id=TIBET, name="西藏自治区")
    # A district whose name starts alike is no province.
    Area.objects.create(id=540173, name="西藏文化旅游创意园区", parent_id=TIBET)


def seeded_twice():
    out = io.StringIO()
    seed_promotions(lambda line: out.write(f"{line}\n"))
    seed_promotions(lambda line: out.write(f"{line}\n"))
    return out.getvalue()


def test_seeding_twice_makes_the_freight_rule_and_the_coupons_once():
    remote_provinces()
    phones, _, _ = category_tree()

    said = seeded_twice()

    rule = FreightRule.objects.get()
    assert (rule.name, rule.base_fee, rule.free_over, rule.per_item_fee, rule.is_active) == (
        "标准运费", Decimal("10.00"), Decimal("99.00"), Decimal("0.00"), True,
    )  # fmt: skip
    assert sorted(FreightSurcharge.objects.values_list("province_id", "fee")) == [
        (TIBET, Decimal("20.00")),
        (XINJIANG, Decimal("20.00")),
    ]
    coupons = {coupon.name: coupon for coupon in Coupon.objects.all()}
    assert sorted(coupons) == ["全场满100减10", "全场满300减30", "手机9折券", "新人无门槛5元券"]
    assert (coupons["全场满100减10"].total_quantity, coupons["全场满100减10"].scope) == (1000, Coupon.Scope.WHOLE_SHOP)
    assert list(coupons["手机9折券"].categories.all()) == [phones]
    newcomers = coupons["新人无门槛5元券"]
    assert (newcomers.is_public, newcomers.for_new_members) == (False, True)
    assert [name for name, coupon in coupons.items() if coupon.is_public] == [
        name for name in coupons if name != "新人无门槛5元券"
    ]
    for coupon in coupons.values():
        coupon.full_clean()  # what the back office's form would accept
        assert (coupon.valid_days, coupon.valid_until, coupon.issued_count, coupon.is_active) == (30, None, 0, True)
    assert "freight rules already seeded" in said and "demo coupons already seeded" in said


def test_the_demo_coupons_and_freight_price_as_the_contract_says():
    remote_provinces()
    phones, _, _ = category_tree()
    seeded_twice()
    coupons = {coupon.name: coupon for coupon in Coupon.objects.prefetch_related("categories", "goods")}
    phone = PricedLine(key=1, amount=Decimal("1999.00"), goods_id=1, category_ids=frozenset({phones.pk, 99, 98}))
    book = PricedLine(key=2, amount=Decimal("100.00"), goods_id=2, category_ids=frozenset({97, 96, 95}))
    cheaper = PricedLine(key=3, amount=Decimal("99.99"), goods_id=3, category_ids=frozenset({97, 96, 95}))

    def discount(name, lines):
        return coupon_discount(coupons[name], scope_of(coupons[name]), lines)

    assert discount("手机9折券", [phone, book]) == Decimal("50.00")  # 9折 of 1999, at most 50
    assert discount("全场满100减10", [book]) == Decimal("10.00")
    with pytest.raises(CouponNotApplicable, match="所选商品未满100元"):
        discount("全场满100减10", [cheaper])
    with pytest.raises(CouponNotApplicable):
        discount("手机9折券", [book])
    assert discount("新人无门槛5元券", [cheaper]) == Decimal("5.00")
    rule = active_freight_rule()
    assert order_freight(rule, BEIJING, Decimal("98.99"), 1) == Decimal("10.00")
    assert order_freight(rule, BEIJING, Decimal("99.00"), 3) == Decimal("0.00")
    assert order_freight(rule, XINJIANG, Decimal("99.00"), 1) == Decimal("20.00")  # free, but remote
    assert order_freight(rule, TIBET, Decimal("50.00"), 1) == Decimal("30.00")


def test_without_the_areas_the_rule_has_no_surcharges_and_says_so():
    category_tree()
    said = seeded_twice()
    assert FreightRule.objects.count() == 1 and not FreightSurcharge.objects.exists()
    assert "without surcharges" in said and "load_areas" in said
    assert Coupon.objects.count() == 4


def test_without_the_catalog_the_phones_coupon_is_left_out_and_says_so():
    said = seeded_twice()
    assert "手机9折券" not in set(Coupon.objects.values_list("name", flat=True))
    assert Coupon.objects.count() == 3 and "seed_demo" in said


def test_the_demo_member_claims_one_coupon_once_and_not_again_after_using_it():
    seeded_twice()
    member = UserFactory()
    lines = []

    give_demo_member_coupon(member, lines.append)
    give_demo_member_coupon(member, lines.append)

    copy = MemberCoupon.objects.get(user=member)
    assert (copy.coupon.name, copy.source, copy.status) == (
        DEMO_MEMBER_COUPON, MemberCoupon.Source.CLAIMED, MemberCoupon.Status.UNUSED,
    )  # fmt: skip
    assert (copy.valid_until - copy.valid_from).days == 30
    assert Coupon.objects.get(name=DEMO_MEMBER_COUPON).issued_count == 1
    MemberCoupon.objects.filter(pk=copy.pk).update(status=MemberCoupon.Status.USED)
    give_demo_member_coupon(member, lines.append)
    assert MemberCoupon.objects.filter(user=member).count() == 1 and lines == []


def test_a_demo_member_gets_no_coupon_from_a_sold_out_template_and_the_demo_still_starts():
    seeded_twice()
    Coupon.objects.filter(name=DEMO_MEMBER_COUPON).update(issued_count=1000)
    lines = []
    give_demo_member_coupon(UserFactory(), lines.append)
    assert not MemberCoupon.objects.exists()
    assert lines == [f"{User.objects.get().username} holds no coupon: 优惠券已领完"]


def test_prepare_demo_twice_seeds_the_promotions_once_and_the_demo_shopper_holds_a_usable_coupon(settings, tmp_path):
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path
    out = io.StringIO()
    call_command("prepare_demo", stdout=out)
    call_command("prepare_demo", stdout=out)

    said = out.getvalue()
    assert "freight rule 标准运费: ¥10.00, free from ¥99.00, ¥20.00 more to 新疆 and 西藏" in said
    assert "demo coupons: 全场满100减10、全场满300减30、手机9折券、新人无门槛5元券" in said
    assert "demo coupons already seeded" in said
    assert FreightRule.objects.count() == 1
    surcharged = sorted(FreightSurcharge.objects.values_list("province__name", flat=True))
    assert surcharged == ["新疆维吾尔自治区", "西藏自治区"]
    assert Coupon.objects.count() == 4
    phones_coupon = Coupon.objects.get(name="手机9折券")
    assert [(c.name, c.parent_id) for c in phones_coupon.categories.all()] == [("手机", None)]
    demo = User.objects.get(username="demo")
    [held] = usable_member_coupons(demo)
    assert held.coupon.name == DEMO_MEMBER_COUPON
    assert MemberCoupon.objects.count() == 1
