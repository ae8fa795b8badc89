"""What can go wrong with a coupon, in the words the member sees."""

from meiduo_mall.utils.exceptions import ShopError


class CouponError(ShopError):
    """A coupon rule refused the request; the message is shown to the member as is."""


class CouponNotApplicable(CouponError):
    """The coupon exists and is the member's, but not for these lines (scope, threshold)."""


class CouponNotFound(CouponError):
    """No coupon the member may claim by that id: unknown, not offered in the coupon centre, or switched off."""

    status_code = 404
    message = "优惠券不存在"


class CouponSoldOut(CouponError):
    message = "优惠券已领完"


class CouponLimitReached(CouponError):
    """The member already holds as many copies as the coupon allows."""

    def __init__(self, limit):
        super().__init__(f"每人限领{limit}张")
