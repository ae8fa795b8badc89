"""The coupon rules: members get coupons (claim, grant, registration) and orders use and give them back.

This module owns every write of MemberCoupon.status and Coupon.issued_count; orders.services calls
use_coupon and give_coupon_back inside its own transactions.
"""

from django.utils import timezone

from .exceptions import CouponError
from .models import MemberCoupon

# Coupons are counted and used on the primary, read back there: a replica may lag.
PRIMARY = "default"


def usable_member_coupons(user, now=None):
    """The member's unused coupons valid at `now`, soonest to expire first, with their templates and scopes
    (three queries)."""
    now = now or timezone.now()
    return list(
        MemberCoupon.objects.using(PRIMARY)
        .filter(user=user, status=MemberCoupon.Status.UNUSED, valid_from__lte=now, valid_until__gt=now)
        .select_related("coupon")
        .prefetch_related("coupon__categories", "coupon__goods")
        .order_by("valid_until", "id")
    )


def member_coupon_for_order(user, member_coupon_id, now=None):
    """The member's coupon `member_coupon_id` if it can pay towards an order now; raises CouponError saying
    why not. Another member's coupon does not exist for this one."""
    now = now or timezone.now()
    member_coupon = (
        MemberCoupon.objects.using(PRIMARY)
        .filter(pk=member_coupon_id, user=user)
        .select_related("coupon")
        .prefetch_related("coupon__categories", "coupon__goods")
        .first()
    )
    if member_coupon is None:
        raise CouponError("优惠券不存在")
    if member_coupon.status == MemberCoupon.Status.USED:
        raise CouponError("优惠券已使用")
    if member_coupon.valid_until <= now:
        raise CouponError("优惠券已过期")
    if member_coupon.valid_from > now:
        raise CouponError("优惠券尚未生效")
    return member_coupon


def use_coupon(member_coupon, now=None):
    """Mark the coupon used, inside the caller's (the order's) transaction; raises CouponError when it was used
    or expired meanwhile. The conditional UPDATE lets one of two orders placed at once have it."""
    now = now or timezone.now()
    used = (
        MemberCoupon.objects.using(PRIMARY)
        .filter(pk=member_coupon.pk, status=MemberCoupon.Status.UNUSED, valid_from__lte=now, valid_until__gt=now)
        .update(status=MemberCoupon.Status.USED, used_time=now, update_time=now)
    )
    if not used:
        raise CouponError("优惠券已使用或已过期")
    member_coupon.status, member_coupon.used_time = MemberCoupon.Status.USED, now


def give_coupon_back(member_coupon_id, now=None):
    """The coupon of a cancelled order back to its member, if it is still valid; returns whether it went back.
    Called inside the cancel's transaction, so only the cancel that won the order gives it back."""
    now = now or timezone.now()
    returned = (
        MemberCoupon.objects.using(PRIMARY)
        .filter(pk=member_coupon_id, status=MemberCoupon.Status.USED, valid_until__gt=now)
        .update(status=MemberCoupon.Status.UNUSED, used_time=None, update_time=now)
    )
    return bool(returned)
