"""The Redis circuit breaker's states: closed, open after REDIS_BREAKER_FAILURES failures in a row, half-open
with one trial once REDIS_BREAKER_SECONDS have passed, closed again by an answer."""

import time

import pytest
from redis.connection import Connection, UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from meiduo_mall.utils.redis_breaker import Breaker, CircuitOpen, guarded


def failure():
    return RedisTimeoutError("Timeout reading from socket")


def test_a_failure_opens_it_and_it_refuses_until_the_period_is_over(settings):
    settings.REDIS_BREAKER_SECONDS = 60
    breaker = Breaker("127.0.0.1:1")
    breaker.check()

    breaker.failed(failure())

    assert breaker.state() == "open"
    with pytest.raises(CircuitOpen):
        breaker.check()


def test_it_opens_after_the_configured_number_of_failures_in_a_row(settings):
    settings.REDIS_BREAKER_FAILURES = 3
    breaker = Breaker("127.0.0.1:1")
    breaker.failed(failure())
    breaker.failed(failure())
    breaker.answered()
    breaker.failed(failure())
    breaker.failed(failure())
    breaker.check()

    breaker.failed(failure())

    with pytest.raises(CircuitOpen):
        breaker.check()


def test_one_failure_is_counted_once_however_many_layers_report_it():
    breaker = Breaker("127.0.0.1:1")
    error = failure()
    breaker.failed(error)
    breaker.failed(error)
    assert breaker.failures == 1


def test_half_open_lets_one_trial_through_and_its_answer_closes_it(settings):
    settings.REDIS_BREAKER_SECONDS = 0.05
    breaker = Breaker("127.0.0.1:1")
    breaker.failed(failure())
    time.sleep(0.06)
    assert breaker.state() == "half-open"

    breaker.check()  # the trial
    with pytest.raises(CircuitOpen):
        breaker.check()  # anyone else while the trial runs
    breaker.answered()

    assert breaker.state() == "closed"
    breaker.check()


def test_a_failed_trial_opens_it_for_another_period(settings):
    settings.REDIS_BREAKER_SECONDS = 0.05
    breaker = Breaker("127.0.0.1:1")
    breaker.failed(failure())
    time.sleep(0.06)
    breaker.check()
    settings.REDIS_BREAKER_SECONDS = 60

    breaker.failed(failure())

    assert breaker.state() == "open"
    with pytest.raises(CircuitOpen):
        breaker.check()


def test_an_open_circuit_reads_as_a_redis_connection_error():
    """So every `except RedisError` of the shop, and the API's 503, treat it as Redis being away."""
    assert issubclass(CircuitOpen, RedisConnectionError)


def test_guarded_keeps_the_kind_of_connection_the_url_chose():
    assert issubclass(guarded(Connection), Connection)
    assert issubclass(guarded(UnixDomainSocketConnection), UnixDomainSocketConnection)
    assert guarded(guarded(Connection)) is guarded(Connection)
