"""Members racing for the same coupon, through HTTP against a live server on MariaDB (docs/api.md C2).

Every claim is a real request sent from a thread of its own and answered by the live server in its own thread
with its own database connection. The threads start together at a barrier; there are fewer of them than claims
(each sends a few in a row) so that the server's connections stay under MariaDB's max_connections.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from meiduo_mall.apps.coupons.models import Coupon, MemberCoupon
from meiduo_mall.apps.coupons.services import claim_coupon, coupon_counted
from meiduo_mall.apps.coupons.tests.fixtures import CouponFactory
from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import UserFactory
from tests.races import rival_beside

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 32


def claim_all_at_once(url, coupon, tokens):
    """POST the claim once per token, every thread released at once; (status, body) per token, in order."""
    start = threading.Barrier(min(THREADS, len(tokens)))
    share = [tokens[i :: start.parties] for i in range(start.parties)]

    def claims(mine):
        start.wait()
        answers = []
        for token in mine:
            response = requests.post(
                f"{url}/coupons/{coupon.pk}/claim/", headers={"Authorization": f"JWT {token}"}, timeout=60
            )
            answers.append((response.status_code, response.json()))
        return answers

    with ThreadPoolExecutor(max_workers=start.parties) as pool:
        per_thread = list(pool.map(claims, share))
    return [answer for answers in per_thread for answer in answers]


def test_200_members_claiming_the_last_50_coupons_get_exactly_50(live_server):
    coupon = CouponFactory(total_quantity=100, issued_count=50)
    members = UserFactory.create_batch(200)

    results = claim_all_at_once(live_server.url, coupon, [issue_jwt(member) for member in members])

    statuses = [status for status, _ in results]
    assert (statuses.count(201), statuses.count(400)) == (50, 150), results
    assert all(body == {"message": "优惠券已领完"} for status, body in results if status == 400)
    coupon.refresh_from_db()
    assert coupon.issued_count == 100
    assert MemberCoupon.objects.filter(coupon=coupon).count() == 50
    assert MemberCoupon.objects.filter(coupon=coupon).values("user").distinct().count() == 50


@pytest.mark.parametrize("limit", [1, 2])
def test_one_member_claiming_at_once_many_times_gets_the_limit(live_server, limit):
    coupon = CouponFactory(per_member_limit=limit)
    token = issue_jwt(UserFactory())

    results = claim_all_at_once(live_server.url, coupon, [token] * 20)

    statuses = [status for status, _ in results]
    assert (statuses.count(201), statuses.count(400)) == (limit, 20 - limit), results
    assert all(body == {"message": f"每人限领{limit}张"} for status, body in results if status == 400)
    assert sorted(MemberCoupon.objects.values_list("sequence", flat=True)) == list(range(1, limit + 1))
    coupon.refresh_from_db()
    assert coupon.issued_count == limit


def test_a_claim_of_the_last_coupon_waits_for_the_one_counting_it_and_finds_it_gone():
    """The rival reads one left and claims it while the first holds the counter, copy not yet inserted: it
    waits for the first's row lock, then the conditional UPDATE finds none left. No deadlock, one copy."""
    coupon = CouponFactory(total_quantity=1)
    first, rival = UserFactory(), UserFactory()

    def rival_claim():
        return claim_coupon(rival, coupon.pk)

    with rival_beside(coupon_counted, rival_claim) as run:
        claim_coupon(first, coupon.pk)

    assert run.waited_for_a_lock
    assert [type(result).__name__ for result in run.results] == ["CouponSoldOut"]
    assert list(MemberCoupon.objects.values_list("user", flat=True)) == [first.pk]
    assert Coupon.objects.get(pk=coupon.pk).issued_count == 1
