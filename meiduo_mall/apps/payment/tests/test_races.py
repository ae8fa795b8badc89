"""Alipay's notice and the buyer's return racing the buyer's cancel and the timeout, at each named point.

The rival runs in line at the point (tests.races.rival_at): on the first party's connection, inside its
transaction when the point is in one, so each rule sees exactly what the other has written so far.
tests/concurrency/test_payment_races.py runs the same races on threads of their own, through MariaDB's locks.
"""

import pytest

from meiduo_mall.apps.orders.tests.fixtures import place_expired_unpaid_order
from meiduo_mall.apps.payment.tests.races import RACES, assert_one_outcome, expected_answer
from tests.races import rival_at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("race", RACES, ids=str)
def test_the_race_ends_in_one_outcome_with_the_money_accounted_for(race, payment_log):
    order, sku = place_expired_unpaid_order()
    sku.refresh_from_db()
    stock_placed = sku.stock

    with rival_at(race.point, lambda: race.rival(order)) as rival:
        first = race.first(order)

    assert rival, f"the rival never ran: {race.point_name} not reached"
    assert first == expected_answer(race.first, order, race.outcome)
    assert rival[0] == expected_answer(race.rival, order, race.outcome)
    assert_one_outcome(order, sku, race.outcome, stock_placed)
    refunds = [r for r in payment_log.records if r.getMessage().startswith("REFUND NEEDED")]
    assert len(refunds) == (race.outcome == "cancelled")
