"""The coupon rules: members get coupons (claim, grant, registration) and orders use and give them back.

This module owns every write of MemberCoupon.status and Coupon.issued_count; orders.services calls
use_coupon and give_coupon_back inside its own transactions.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Prefetch, Q
from django.dispatch import Signal
from django.utils import timezone

from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.users.models import User

from .exceptions import CouponError, CouponLimitReached, CouponNotFound, CouponSoldOut
from .models import Coupon, MemberCoupon
from .scopes import warm_scopes

logger = logging.getLogger("meiduo")

# Named points of a hand-out for the race tests (tests/races.py): the member's copies are counted, nothing written;
# the template's counter is taken, the copy not yet inserted.
coupon_copies_counted = Signal()
coupon_counted = Signal()

# Coupons are counted and used on the primary, read back there: a replica may lag.
PRIMARY = "default"


def usable_member_coupons(user, now=None):
    """The member's unused coupons valid at `now`, soonest to expire first, with their templates (one query; their
    scopes come from coupons.scopes)."""
    now = now or timezone.now()
    held = list(
        MemberCoupon.objects.using(PRIMARY)
        .filter(user=user, status=MemberCoupon.Status.UNUSED, valid_from__lte=now, valid_until__gt=now)
        .select_related("coupon")
        .order_by("valid_until", "id")
    )
    warm_scopes(copy.coupon for copy in held)
    return held


def member_coupon_for_order(user, member_coupon_id, now=None):
    """The member's coupon `member_coupon_id` if it can pay towards an order now; raises CouponError saying
    why not. Another member's coupon does not exist for this one."""
    now = now or timezone.now()
    member_coupon = (
        MemberCoupon.objects.using(PRIMARY).filter(pk=member_coupon_id, user=user).select_related("coupon").first()
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


def still_handed_out(now):
    """Templates members can still get at `now`: valid_days from the claim, or a window not yet over."""
    return Q(valid_until__gt=now) | Q(valid_until__isnull=True, valid_days__isnull=False)


def claimable_coupons(now=None):
    """C1: the public, active coupons not past their validity, newest first (their scopes: coupons.scopes).
    Those already gone stay listed (remaining 0), as coupon centres show 已抢光."""
    now = now or timezone.now()
    coupons = list(
        Coupon.objects.using(PRIMARY)
        .filter(still_handed_out(now), is_public=True, is_active=True)
        .order_by("-create_time", "-id")
    )
    warm_scopes(coupons)
    return coupons


def claimed_counts(user, coupons):
    """{coupon id: copies the member holds} for `coupons`, in one query; empty for a guest."""
    if user is None or not coupons:
        return {}
    rows = (
        MemberCoupon.objects.using(PRIMARY)
        .filter(user=user, coupon__in=[coupon.pk for coupon in coupons])
        .values_list("coupon")
        .annotate(copies=Count("id"))
    )
    return dict(rows)


def claim_coupon(user, coupon_id, now=None):
    """C2: one more copy of a public coupon for the member. Raises CouponNotFound (unknown, not public,
    switched off), CouponError 优惠券已过期, CouponLimitReached or CouponSoldOut."""
    coupon = Coupon.objects.using(PRIMARY).filter(pk=coupon_id, is_public=True, is_active=True).first()
    if coupon is None:
        raise CouponNotFound()
    return hand_out(coupon, user, MemberCoupon.Source.CLAIMED, now or timezone.now())


def hand_out(coupon, user, source, now):
    """Give `user` one more copy of `coupon` from `source` (claim, grant, registration): the one way a copy is
    made, so the limits hold whoever asks. No row is locked while the member's copies are counted: two
    requests that count alike insert the same sequence and the unique constraint refuses the second.

    The template's counter is taken first, then the copy inserted. The insert's foreign key check takes a
    shared lock on the template's row; had the insert come first, every concurrent claim would hold that
    shared lock and wait for the others' to take the counter: deadlocks (200 claims at once gave 148). With
    the counter first, claims of one coupon queue on its row for one insert each."""
    if past_validity(coupon, now):
        raise CouponError("优惠券已过期")
    copies = MemberCoupon.objects.using(PRIMARY).filter(coupon=coupon, user=user).count()
    if copies >= coupon.per_member_limit:
        raise CouponLimitReached(coupon.per_member_limit)
    if coupon.issued_count >= coupon.total_quantity:
        raise CouponSoldOut()
    valid_from, valid_until = validity_from(coupon, now)
    coupon_copies_counted.send(sender=Coupon, coupon=coupon, user=user)
    try:
        with transaction.atomic(using=PRIMARY):
            counted = (
                Coupon.objects.using(PRIMARY)
                .filter(pk=coupon.pk, is_active=True, issued_count__lt=F("total_quantity"))
                .update(issued_count=F("issued_count") + 1, update_time=now)
            )
            if not counted:
                raise CouponSoldOut()
            coupon_counted.send(sender=Coupon, coupon=coupon, user=user)
            member_coupon = MemberCoupon.objects.using(PRIMARY).create(
                coupon=coupon,
                user=user,
                sequence=copies + 1,
                source=source,
                valid_from=valid_from,
                valid_until=valid_until,
            )
    except IntegrityError:
        raise CouponLimitReached(coupon.per_member_limit) from None
    return member_coupon


def past_validity(coupon, now):
    if coupon.valid_until is None:
        # Neither an end nor a number of days: no window a copy could be given, so none is.
        return coupon.valid_days is None
    return coupon.valid_until <= now


def validity_from(coupon, now):
    """(valid_from, valid_until) of a copy handed out at `now`: valid_days from now, never past the template's
    own valid_until when it has one as well; else the template's window."""
    if coupon.valid_days is not None:
        until = now + timedelta(days=coupon.valid_days)
        return now, min(until, coupon.valid_until) if coupon.valid_until else until
    return coupon.valid_from or now, coupon.valid_until


@dataclass
class GrantReport:
    """What a grant did, mobile by mobile, in the order given."""

    granted: list = field(default_factory=list)
    unknown: list = field(default_factory=list)
    at_limit: list = field(default_factory=list)
    sold_out: list = field(default_factory=list)


def grant_coupon_to_mobiles(coupon, mobiles, operator=None):
    """The back office's grant: one copy of `coupon` to each member named by a mobile (repeats count once),
    public or not. Each member is one small transaction; once the coupon is gone the rest are sold_out.
    Raises CouponError when the coupon is switched off or past its validity."""
    now = timezone.now()
    coupon = Coupon.objects.using(PRIMARY).get(pk=coupon.pk)
    if not coupon.is_active:
        raise CouponError("优惠券已停用，不能发放")
    if past_validity(coupon, now):
        raise CouponError("优惠券已过期")
    mobiles = list(dict.fromkeys(mobiles))
    members = {user.mobile: user for user in User.objects.using(PRIMARY).filter(mobile__in=mobiles)}
    report = GrantReport()
    for mobile in mobiles:
        if report.sold_out:
            report.sold_out.append(mobile)
        elif mobile not in members:
            report.unknown.append(mobile)
        else:
            try:
                hand_out(coupon, members[mobile], MemberCoupon.Source.GRANTED, now)
                report.granted.append(mobile)
            except CouponLimitReached:
                report.at_limit.append(mobile)
            except CouponSoldOut:
                report.sold_out.append(mobile)
    logger.info(
        "coupon %s granted by %s: %d granted, %d unknown, %d at limit, %d sold out",
        coupon.pk,
        getattr(operator, "pk", None),
        len(report.granted),
        len(report.unknown),
        len(report.at_limit),
        len(report.sold_out),
    )
    return report


def grant_new_member_coupons(user):
    """Every active 新人券 to a member who just joined (settings.NEW_MEMBER_COUPONS). One that is gone or
    already held is skipped: joining never fails over a coupon. Returns the copies given."""
    if not settings.NEW_MEMBER_COUPONS:
        return []
    now = timezone.now()
    coupons = Coupon.objects.using(PRIMARY).filter(still_handed_out(now), for_new_members=True, is_active=True)
    given = []
    for coupon in coupons.order_by("id"):
        try:
            given.append(hand_out(coupon, user, MemberCoupon.Source.NEW_MEMBER, now))
        except CouponError as exc:
            logger.info("new member %s did not get coupon %s: %s", user.pk, coupon.pk, exc.message)
    return given


MEMBERS_COUPON_TABS = ("usable", "used", "expired")


def members_coupon_filters(now):
    # A copy not yet in its window is neither used nor expired: it waits under usable, its valid_from says when.
    return {
        "usable": Q(status=MemberCoupon.Status.UNUSED, valid_until__gt=now),
        "used": Q(status=MemberCoupon.Status.USED),
        "expired": Q(status=MemberCoupon.Status.UNUSED, valid_until__lte=now),
    }


def members_coupons(user, status, now=None):
    """C3: (counts per tab, the member's copies under `status`) with their templates and orders.
    Usable ones soonest to expire first; used ones last used first, expired ones last expired first."""
    now = now or timezone.now()
    filters = members_coupon_filters(now)
    copies = MemberCoupon.objects.using(PRIMARY).filter(user=user)
    counts = copies.aggregate(**{tab: Count("id", filter=condition) for tab, condition in filters.items()})
    ordering = {"usable": ("valid_until", "id"), "used": ("-used_time", "-id"), "expired": ("-valid_until", "-id")}
    orders = OrderInfo.objects.using(PRIMARY).only("order_id", "coupon_id").order_by("-create_time", "-order_id")
    listed = (
        copies.filter(filters[status])
        .select_related("coupon")
        .prefetch_related(Prefetch("orders", queryset=orders))
        .order_by(*ordering[status])
    )
    listed = list(listed)
    warm_scopes(copy.coupon for copy in listed)
    return counts, listed
