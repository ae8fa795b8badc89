"""The scope of each coupon template (its categories or SPUs), read once per process and version of the template.

Settlement prices every coupon a member holds on every visit, and placement prices one. Reading each template's
categories and SPUs every time cost two more queries and a model per row, for rows that change only when an
operator edits the template. Entries are keyed by the template's update_time, which the main query reads fresh
every time. Every save of a template moves it, and so does every change of its categories or SPUs (the signal
handlers below). So a process never prices with an old scope. Names of categories or SPUs renamed since are at
most SCOPE_SECONDS old.
"""

import time
from collections import defaultdict

from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone

from .models import Coupon
from .pricing import CouponScope

PRIMARY = "default"
SCOPE_SECONDS = 60
# Templates a process keeps; past this the cache starts again (a shop runs tens of coupons, not thousands).
SCOPE_CACHE_SIZE = 2048
WHOLE_SHOP = CouponScope(Coupon.Scope.WHOLE_SHOP)

_scopes = {}


def scope_of(coupon):
    """The coupon's CouponScope; one query the first time a process sees this version of the template."""
    if coupon.scope == Coupon.Scope.WHOLE_SHOP:
        return WHOLE_SHOP
    entry = _scopes.get(coupon.pk)
    if entry is None or not _fresh(entry, coupon, time.monotonic()):
        warm_scopes([coupon])
        entry = _scopes[coupon.pk]
    return entry[2]


def warm_scopes(coupons):
    """Read the scopes of those of `coupons` this process does not hold yet: a query per kind of scope at most,
    so a list of coupons costs the same however many are limited."""
    now = time.monotonic()
    missing = {Coupon.Scope.GOODS: {}, Coupon.Scope.CATEGORIES: {}}
    for coupon in coupons:
        if coupon.scope in missing and not _fresh(_scopes.get(coupon.pk), coupon, now):
            missing[coupon.scope][coupon.pk] = coupon
    if len(_scopes) + sum(map(len, missing.values())) > SCOPE_CACHE_SIZE:
        _scopes.clear()
    for scope, through, column in (
        (Coupon.Scope.GOODS, Coupon.goods.through, "goods"),
        (Coupon.Scope.CATEGORIES, Coupon.categories.through, "goodscategory"),
    ):
        if not missing[scope]:
            continue
        named = defaultdict(list)
        rows = (
            through.objects.using(PRIMARY)
            .filter(coupon_id__in=missing[scope])
            .order_by("coupon_id", f"{column}_id")
            .values_list("coupon_id", f"{column}_id", f"{column}__name")
        )
        for coupon_id, item_id, name in rows:
            named[coupon_id].append((item_id, name))
        for coupon_id, coupon in missing[scope].items():
            ids = frozenset(item_id for item_id, _ in named[coupon_id])
            names = tuple(name for _, name in named[coupon_id])
            limited = {"goods_ids": ids} if scope == Coupon.Scope.GOODS else {"category_ids": ids}
            _scopes[coupon_id] = (_version(coupon), now + SCOPE_SECONDS, CouponScope(scope, names=names, **limited))


def _version(coupon):
    return coupon.scope, coupon.update_time


def _fresh(entry, coupon, now):
    return entry is not None and entry[0] == _version(coupon) and entry[1] > now


def forget_scopes():
    """Empty this process's cache (the test suite starts every test with an empty one)."""
    _scopes.clear()


@receiver(m2m_changed, sender=Coupon.goods.through)
@receiver(m2m_changed, sender=Coupon.categories.through)
def scope_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A template's categories or SPUs changed: move its update_time, so every process reads its scope again."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        changed = Coupon.objects.filter(pk=instance.pk)
    elif pk_set is not None:
        changed = Coupon.objects.filter(pk__in=pk_set)
    else:
        # A category or SPU cleared from every coupon that named it: those are no longer known, so all limited ones.
        changed = Coupon.objects.exclude(scope=Coupon.Scope.WHOLE_SHOP)
    changed.update(update_time=timezone.now())
