"""The arithmetic of coupons: what each kind takes off, on its boundaries, and the share of each line."""

import random
from decimal import Decimal

import pytest

from meiduo_mall.apps.coupons.exceptions import CouponNotApplicable
from meiduo_mall.apps.coupons.models import Coupon
from meiduo_mall.apps.coupons.pricing import CouponScope, PricedLine, allocate, coupon_discount, describe

D = Decimal
WHOLE_SHOP = CouponScope(Coupon.Scope.WHOLE_SHOP)


def line(amount, key=1, goods_id=1, category_ids=(1, 2, 3)):
    return PricedLine(key=key, amount=D(amount), goods_id=goods_id, category_ids=frozenset(category_ids))


def spend_and_save(threshold, amount):
    return Coupon(kind=Coupon.Kind.SPEND_AND_SAVE, threshold=D(threshold), amount=D(amount))


def percent_off(percent, threshold="0", cap=None):
    return Coupon(
        kind=Coupon.Kind.PERCENT_OFF, percent_off=percent, threshold=D(threshold), max_discount=cap and D(cap)
    )


def no_threshold(amount):
    return Coupon(kind=Coupon.Kind.NO_THRESHOLD, threshold=D("0"), amount=D(amount))


def test_spend_and_save_applies_at_exactly_the_threshold():
    assert coupon_discount(spend_and_save("100", "10"), WHOLE_SHOP, [line("100.00")]) == D("10.00")


def test_spend_and_save_is_refused_a_cent_below_the_threshold():
    with pytest.raises(CouponNotApplicable, match="未满100元"):
        coupon_discount(spend_and_save("100", "10"), WHOLE_SHOP, [line("99.99")])


def test_the_threshold_counts_every_line_in_scope_together():
    lines = [line("60.00", key=1), line("40.00", key=2)]
    assert coupon_discount(spend_and_save("100", "10"), WHOLE_SHOP, lines) == D("10.00")


def test_percent_off_rounds_to_the_cent_half_up():
    # 10 % of 33.35 is 3.335: the member gets 3.34.
    assert coupon_discount(percent_off(10), WHOLE_SHOP, [line("33.35")]) == D("3.34")


def test_percent_off_stops_at_its_cap():
    coupon = percent_off(10, threshold="200", cap="50")
    assert coupon_discount(coupon, WHOLE_SHOP, [line("499.99")]) == D("50.00")
    assert coupon_discount(coupon, WHOLE_SHOP, [line("200.00")]) == D("20.00")
    with pytest.raises(CouponNotApplicable):
        coupon_discount(coupon, WHOLE_SHOP, [line("199.99")])


def test_no_threshold_never_takes_more_than_the_goods_cost():
    assert coupon_discount(no_threshold("5"), WHOLE_SHOP, [line("0.01")]) == D("0.01")
    assert coupon_discount(no_threshold("5"), WHOLE_SHOP, [line("5.01")]) == D("5.00")


def test_lines_out_of_scope_neither_reach_the_threshold_nor_get_a_discount():
    phones = CouponScope(Coupon.Scope.CATEGORIES, category_ids=frozenset({38}))
    lines = [line("80.00", key=1, category_ids=(37, 38, 115)), line("500.00", key=2, category_ids=(1, 2, 3))]
    with pytest.raises(CouponNotApplicable, match="未满100元"):
        coupon_discount(spend_and_save("100", "10"), phones, lines)
    assert coupon_discount(percent_off(10), phones, lines) == D("8.00")


def test_a_coupon_for_other_goods_is_not_applicable():
    one_spu = CouponScope(Coupon.Scope.GOODS, goods_ids=frozenset({7}))
    with pytest.raises(CouponNotApplicable, match="不适用"):
        coupon_discount(no_threshold("5"), one_spu, [line("100.00", goods_id=8)])


def test_describe_prints_the_rule_as_the_pages_show_it():
    assert describe(spend_and_save("100.00", "10.00")) == "满100减10"
    assert describe(spend_and_save("99.50", "9.90")) == "满99.5减9.9"
    assert describe(percent_off(10, threshold="200", cap="50")) == "满200打9折（最多减50）"
    assert describe(percent_off(15)) == "8.5折"
    assert describe(no_threshold("5.00")) == "无门槛减5"


def test_the_shares_sum_to_the_discount_to_the_cent():
    shares = allocate(D("10.00"), {1: D("33.33"), 2: D("33.33"), 3: D("33.34")})
    assert shares == {1: D("3.33"), 2: D("3.33"), 3: D("3.34")}


def test_shares_of_random_orders_sum_exactly_and_never_exceed_their_line():
    chance = random.Random(17)
    for _ in range(500):
        amounts = {key: D(chance.randint(1, 500_000)) / 100 for key in range(1, chance.randint(2, 12))}
        total = sum(amounts.values())
        discount = D(chance.randint(1, int(total * 100))) / 100
        shares = allocate(discount, amounts)
        assert sum(shares.values()) == discount
        assert all(D("0") <= shares[key] <= amounts[key] for key in amounts)


def test_no_discount_shares_nothing():
    assert allocate(D("0.00"), {1: D("10.00"), 2: D("5.00")}) == {1: D("0.00"), 2: D("0.00")}
