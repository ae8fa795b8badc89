"""Alipay's notice and the buyer's return racing the buyer's cancel and the timeout, on real threads against
MariaDB: one outcome per order, paid or cancelled, and the money accounted for either way.

First each race of payment/tests/races.py with its rival on a thread of its own, started at the named point
and let through MariaDB's row lock (tests.races.rival_beside); then every party at once, several orders and
rounds, the order of events left to the threads.
"""

from collections import Counter

import pytest

from meiduo_mall.apps.orders import services as orders
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.tests.fixtures import place_expired_unpaid_order
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.payment.tests.races import (
    CANCELLED,
    CANNOT_CANCEL,
    PAID,
    RACES,
    REFUNDED,
    assert_one_outcome,
    buyer_return,
    expected_answer,
    member_cancel,
    notice,
    timeout,
)
from tests.races import all_at_once, rival_beside

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS_PER_ROUND = 3
TIMEOUT_TASKS = 2
# Each order is fought over by two copies of the notice, the buyer's return and two clicks on 取消订单.
PARTIES_PER_ORDER = (notice, notice, buyer_return, member_cancel, member_cancel)
ROUNDS = 4


@pytest.mark.parametrize("race", RACES, ids=str)
def test_the_race_through_the_row_lock_ends_in_one_outcome(race):
    order, sku = place_expired_unpaid_order()
    sku.refresh_from_db()
    stock_placed = sku.stock

    with rival_beside(race.point, lambda: race.rival(order)) as rival:
        first = race.first(order)

    assert first == expected_answer(race.first, order, race.outcome)
    assert rival.results == [expected_answer(race.rival, order, race.outcome)]
    if race.point in (orders.order_paid_locked, orders.order_cancel_locked):
        assert rival.waited_for_a_lock, "the rival was not held by the row the first one had won"
    assert_one_outcome(order, sku, race.outcome, stock_placed)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_every_party_at_once_leaves_each_order_one_outcome(round_, record_property):
    placed = [place_expired_unpaid_order() for _ in range(ORDERS_PER_ROUND)]
    stock_placed = {sku.id: type(sku).objects.get(pk=sku.id).stock for _, sku in placed}
    jobs = [(order, party) for order, _ in placed for party in PARTIES_PER_ORDER]

    results = all_at_once(
        [lambda o=order, p=party: p(o) for order, party in jobs] + [lambda: timeout(None) for _ in range(TIMEOUT_TASKS)]
    )

    answers, timeouts = results[: len(jobs)], results[len(jobs) :]
    outcomes = Counter()
    cancels_won = sum(timeouts)
    for order, sku in placed:
        order.refresh_from_db()
        outcome = {OrderInfo.Status.UNSEND: PAID, OrderInfo.Status.CANCELED: CANCELLED}[order.status]
        if outcome == CANCELLED and Payment.objects.filter(order_id=order.pk, refund_needed=False).exists():
            # A member's click read the order once it was paid: cancelled with its refund.
            outcome = REFUNDED
        outcomes[outcome] += 1
        assert_one_outcome(order, sku, outcome, stock_placed[sku.id])
        for (of, party), answer in zip(jobs, answers, strict=True):
            if of.pk != order.pk:
                continue
            if party is member_cancel and answer != CANNOT_CANCEL:
                assert answer == expected_answer(member_cancel, order, CANCELLED if outcome == CANCELLED else REFUNDED)
                cancels_won += 1
            elif party is not member_cancel:
                paid_by = PAID if outcome == REFUNDED else outcome
                assert answer == expected_answer(party, order, paid_by), (party.__name__, answer)
    # Exactly one cancel, the buyer's or the timeout's, won each cancelled order.
    assert cancels_won == outcomes[CANCELLED] + outcomes[REFUNDED]
    record_property("outcomes", dict(outcomes))
