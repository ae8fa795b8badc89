"""What can go wrong with a coupon, in the words the member sees."""

from meiduo_mall.utils.exceptions import ShopError


class CouponError(ShopError):
    """A coupon rule refused the request; the message is shown to the member as is."""


class CouponNotApplicable(CouponError):
    """The coupon exists and is the member's, but not for these lines (scope, threshold)."""
