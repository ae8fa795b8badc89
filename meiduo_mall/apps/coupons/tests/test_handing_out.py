"""How members get coupons: claims, operators' grants and the new-member coupons, with every limit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meiduo_mall.apps.coupons.exceptions import CouponError, CouponLimitReached, CouponNotFound, CouponSoldOut
from meiduo_mall.apps.coupons.models import MemberCoupon
from meiduo_mall.apps.coupons.services import (
    GrantReport,
    claim_coupon,
    coupon_copies_counted,
    grant_coupon_to_mobiles,
    grant_new_member_coupons,
)
from tests.factories import UserFactory
from tests.races import rival_at

from .fixtures import CouponFactory

pytestmark = pytest.mark.django_db


def issued(coupon):
    coupon.refresh_from_db()
    return coupon.issued_count


def test_a_claim_copies_the_fixed_window_and_counts_the_coupon(user):
    coupon = CouponFactory()

    copy = claim_coupon(user, coupon.pk)

    assert (copy.valid_from, copy.valid_until) == (coupon.valid_from, coupon.valid_until)
    assert (copy.sequence, copy.source, copy.status) == (1, MemberCoupon.Source.CLAIMED, MemberCoupon.Status.UNUSED)
    assert issued(coupon) == 1


def test_a_window_not_yet_open_can_be_claimed_and_keeps_its_start(user):
    start = timezone.now() + timedelta(days=3)
    coupon = CouponFactory(valid_from=start, valid_until=start + timedelta(days=1))

    assert claim_coupon(user, coupon.pk).valid_from == start


def test_a_claim_of_a_coupon_for_n_days_runs_from_the_claim(user):
    coupon = CouponFactory(valid_from=None, valid_until=None, valid_days=7)
    now = timezone.now()

    copy = claim_coupon(user, coupon.pk, now=now)

    assert (copy.valid_from, copy.valid_until) == (now, now + timedelta(days=7))


def test_days_after_the_claim_never_run_past_the_coupons_own_end(user):
    end = timezone.now() + timedelta(days=2)
    coupon = CouponFactory(valid_from=None, valid_until=end, valid_days=7)

    assert claim_coupon(user, coupon.pk).valid_until == end


@pytest.mark.parametrize(
    "fields",
    [{"is_public": False}, {"is_active": False}],
    ids=["not public", "switched off"],
)
def test_a_coupon_not_offered_does_not_exist_for_a_claim(user, fields):
    coupon = CouponFactory(**fields)

    with pytest.raises(CouponNotFound, match="优惠券不存在") as refused:
        claim_coupon(user, coupon.pk)

    assert refused.value.status_code == 404
    assert issued(coupon) == 0 and not MemberCoupon.objects.exists()


def test_an_unknown_coupon_does_not_exist(user):
    with pytest.raises(CouponNotFound):
        claim_coupon(user, 10**9)


def test_a_coupon_past_its_end_is_expired(user):
    coupon = CouponFactory(valid_until=timezone.now())

    with pytest.raises(CouponError, match="^优惠券已过期$"):
        claim_coupon(user, coupon.pk)


def test_a_coupon_with_no_end_and_no_days_is_never_handed_out(user):
    coupon = CouponFactory(valid_until=None, valid_days=None)

    with pytest.raises(CouponError, match="优惠券已过期"):
        claim_coupon(user, coupon.pk)


def test_a_member_gets_up_to_the_per_member_limit(user):
    coupon = CouponFactory(per_member_limit=2)

    copies = [claim_coupon(user, coupon.pk), claim_coupon(user, coupon.pk)]
    with pytest.raises(CouponLimitReached, match="^每人限领2张$"):
        claim_coupon(user, coupon.pk)

    assert [copy.sequence for copy in copies] == [1, 2]
    assert issued(coupon) == 2


def test_the_last_coupon_goes_to_one_member_and_the_next_is_told_it_is_gone(user, other_user):
    coupon = CouponFactory(total_quantity=1)

    claim_coupon(user, coupon.pk)
    with pytest.raises(CouponSoldOut, match="^优惠券已领完$"):
        claim_coupon(other_user, coupon.pk)

    assert issued(coupon) == 1
    assert list(MemberCoupon.objects.values_list("user", flat=True)) == [user.pk]


def test_a_member_who_took_the_last_coupon_hears_of_the_limit_first(user):
    coupon = CouponFactory(total_quantity=1)
    claim_coupon(user, coupon.pk)

    with pytest.raises(CouponLimitReached):
        claim_coupon(user, coupon.pk)


def test_the_last_coupon_taken_after_the_read_is_gone_for_the_reader(user, other_user):
    """The read said one was left; another member took it before the counter: the conditional UPDATE refuses."""
    coupon = CouponFactory(total_quantity=1)

    with rival_at(coupon_copies_counted, lambda: claim_coupon(other_user, coupon.pk)):
        with pytest.raises(CouponSoldOut):
            claim_coupon(user, coupon.pk)

    assert list(MemberCoupon.objects.values_list("user", flat=True)) == [other_user.pk]
    assert issued(coupon) == 1


def test_a_second_claim_of_the_member_after_the_count_is_refused_by_the_sequence(user):
    """Both claims counted no copy: the rival inserts sequence 1 first, the unique constraint refuses the
    first's, and its counter goes back with it."""
    coupon = CouponFactory(per_member_limit=1)

    with rival_at(coupon_copies_counted, lambda: claim_coupon(user, coupon.pk)) as rival:
        with pytest.raises(CouponLimitReached, match="每人限领1张"):
            claim_coupon(user, coupon.pk)

    assert rival[0].sequence == 1
    assert MemberCoupon.objects.count() == 1
    assert issued(coupon) == 1


def test_a_grant_reports_each_mobile(user, other_user):
    coupon = CouponFactory(is_public=False, total_quantity=10)
    claim_holder = UserFactory()
    grant_coupon_to_mobiles(coupon, [claim_holder.mobile])

    report = grant_coupon_to_mobiles(
        coupon, [user.mobile, "13000000000", claim_holder.mobile, other_user.mobile, user.mobile]
    )

    assert report == GrantReport(
        granted=[user.mobile, other_user.mobile], unknown=["13000000000"], at_limit=[claim_holder.mobile]
    )
    sources = set(MemberCoupon.objects.values_list("source", flat=True))
    assert sources == {MemberCoupon.Source.GRANTED}
    assert issued(coupon) == 3


def test_a_grant_stops_once_the_coupon_is_gone():
    coupon = CouponFactory(total_quantity=2)
    members = UserFactory.create_batch(4)
    mobiles = [member.mobile for member in members]

    report = grant_coupon_to_mobiles(coupon, [*mobiles, "13000000000"])

    assert report.granted == mobiles[:2]
    assert report.sold_out == [*mobiles[2:], "13000000000"]
    assert issued(coupon) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"is_active": False}, "优惠券已停用，不能发放"), ({"valid_until": timezone.now()}, "优惠券已过期")],
)
def test_a_grant_of_a_switched_off_or_expired_coupon_is_refused(user, fields, message):
    coupon = CouponFactory(**fields)

    with pytest.raises(CouponError, match=message):
        grant_coupon_to_mobiles(coupon, [user.mobile])

    assert not MemberCoupon.objects.exists()


def test_a_new_member_gets_every_active_new_member_coupon(user):
    welcome = CouponFactory(for_new_members=True, is_public=False, valid_from=None, valid_until=None, valid_days=30)
    CouponFactory(for_new_members=True, is_active=False)
    CouponFactory(for_new_members=True, valid_until=timezone.now() - timedelta(days=1))
    gone = CouponFactory(for_new_members=True, total_quantity=1)
    claim_coupon(UserFactory(), gone.pk)
    CouponFactory()

    given = grant_new_member_coupons(user)

    assert [(copy.coupon, copy.source) for copy in given] == [(welcome, MemberCoupon.Source.NEW_MEMBER)]
    assert MemberCoupon.objects.filter(user=user).count() == 1


def test_no_new_member_coupons_when_the_setting_is_off(user, settings):
    settings.NEW_MEMBER_COUPONS = False
    CouponFactory(for_new_members=True)

    assert grant_new_member_coupons(user) == []
    assert not MemberCoupon.objects.exists()
