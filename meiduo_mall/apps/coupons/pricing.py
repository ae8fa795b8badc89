"""What a coupon takes off a set of lines, and how that discount is shared out over them.

Pure arithmetic on values read from the database: settlement, placement and the benchmarks call the same
functions, so the discount a member is shown is the one the order is charged.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .exceptions import CouponNotApplicable
from .models import Coupon

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PricedLine:
    """One order line as a coupon sees it: `key` names it for the allocation (the SKU id)."""

    key: int
    amount: Decimal
    goods_id: int
    category_ids: frozenset


@dataclass(frozen=True)
class CouponScope:
    """The SPU and category ids a coupon applies to, with their names in id order (coupons.scopes.scope_of)."""

    scope: int
    goods_ids: frozenset = frozenset()
    category_ids: frozenset = frozenset()
    names: tuple = ()

    def covers(self, line):
        if self.scope == Coupon.Scope.GOODS:
            return line.goods_id in self.goods_ids
        if self.scope == Coupon.Scope.CATEGORIES:
            return not self.category_ids.isdisjoint(line.category_ids)
        return True

    @property
    def text(self):
        """限 手机、平板, as the pages print a limited coupon's scope; empty for the whole shop."""
        return "限 " + "、".join(self.names) if self.names else ""


def describe(coupon):
    """The coupon's rule as the pages print it: 满100减10, 满200打9折（最多减50）, 无门槛减5."""
    if coupon.kind == Coupon.Kind.PERCENT_OFF:
        rate = f"{Decimal(100 - coupon.percent_off) / 10:.1f}".removesuffix(".0")
        text = f"满{_yuan(coupon.threshold)}打{rate}折" if coupon.threshold else f"{rate}折"
        return f"{text}（最多减{_yuan(coupon.max_discount)}）" if coupon.max_discount else text
    if coupon.kind == Coupon.Kind.SPEND_AND_SAVE:
        return f"满{_yuan(coupon.threshold)}减{_yuan(coupon.amount)}"
    return f"无门槛减{_yuan(coupon.amount)}"


def _yuan(value):
    return f"{value:.2f}".rstrip("0").removesuffix(".")


def coupon_discount(coupon, scope, lines):
    """What `coupon` takes off `lines` (PricedLine); never more than the lines in its scope cost.

    Raises CouponNotApplicable when no line is in scope or those in scope do not reach the threshold.
    """
    covered = sum((line.amount for line in lines if scope.covers(line)), ZERO)
    if not covered:
        raise CouponNotApplicable("该优惠券不适用于所选商品")
    if covered < coupon.threshold:
        raise CouponNotApplicable(f"所选商品未满{_yuan(coupon.threshold)}元，不能使用该优惠券")
    if coupon.kind == Coupon.Kind.PERCENT_OFF:
        discount = (covered * coupon.percent_off / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if coupon.max_discount is not None:
            discount = min(discount, coupon.max_discount)
    else:
        discount = coupon.amount
    return min(discount, covered).quantize(CENT)


def allocate(discount, amounts):
    """{key: share} of `discount` over {key: amount}, in proportion, to the cent, summing to `discount` exactly.

    Each share is rounded down and the cents left over go one by one to the lines that lost the most to the
    rounding (the larger key first on a tie), so no line's share exceeds its amount.
    """
    total = sum(amounts.values(), ZERO)
    if not discount or not total:
        return {key: ZERO for key in amounts}
    exact = {key: discount * amount / total for key, amount in amounts.items()}
    shares = {key: value.quantize(CENT, rounding=ROUND_DOWN) for key, value in exact.items()}
    left = int((discount - sum(shares.values(), ZERO)) / CENT)
    for key in sorted(exact, key=lambda k: (exact[k] - shares[k], amounts[k], k), reverse=True)[:left]:
        shares[key] += CENT
    return shares
