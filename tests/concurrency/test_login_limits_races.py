"""Login tries on one account from one address at the same instant, on real threads against MariaDB: they take
turns (users/login_limits.one_try_at_a_time), so none slips past a counter the one before it filled.

Axes checks the counter before the password and records the failure after; without turns, a try started while
another was between the two would be checked against the count before that other's failure.
"""

import threading

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.db.models import Sum
from rest_framework.test import APIClient

from meiduo_mall.apps.users.login_limits import login_try_started
from tests.races import rival_beside

pytestmark = pytest.mark.django_db(transaction=True)

STRANGER_IP = "203.0.113.9"


def wrong_try(username):
    response = APIClient().post(
        "/authorizations/", {"username": username, "password": "wrong-password"}, format="json", REMOTE_ADDR=STRANGER_IP
    )
    return response.status_code


def recorded_failures():
    return AccessAttempt.objects.aggregate(total=Sum("failures_since_start"))["total"] or 0


def test_a_try_arriving_while_the_one_reaching_the_limit_is_checked_waits_for_its_record(user):
    assert [wrong_try(user.username) for _ in range(4)] == [400] * 4

    # The rival starts while the 5th try holds its turn, before its password is checked.
    with rival_beside(login_try_started, lambda: wrong_try(user.mobile)) as rival:
        fifth = wrong_try(user.username)

    assert rival.waited_for_a_lock, "the rival did not wait for the turn of the try before it"
    assert fifth == 429
    # The rival met the limit the 5th failure reached: refused unchecked, not counted.
    assert rival.results == [429]
    assert recorded_failures() == 5


def test_ten_tries_at_once_are_checked_no_further_than_the_limit(user):
    start = threading.Barrier(10)
    statuses = []

    def try_at_once():
        try:
            start.wait()
            statuses.append(wrong_try(user.username))
        finally:
            connection.close()

    threads = [threading.Thread(target=try_at_once) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(statuses) == [400] * 4 + [429] * 6
    assert recorded_failures() == 5
