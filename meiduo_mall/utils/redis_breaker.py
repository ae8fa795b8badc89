"""A circuit breaker in front of each Redis server the shop reaches through django-redis.

A Redis that is down refuses connections at once, but a stalled one (frozen process, lost host, full network
buffer) accepts them and never answers: every command waits out the socket timeout. The breaker turns both
into an immediate `CircuitOpen` (a redis ConnectionError, so every `except RedisError` and the API's 503
mapping keep working) for REDIS_BREAKER_SECONDS after REDIS_BREAKER_FAILURES failures in a row. Requests
that can do without Redis (the catalog from the database, member authentication from the user's row) then
lose no time on it; those that need it answer 503 at once.

When the open period is over, one command is let through (half-open): an answer closes the breaker, a
failure opens it for another period. So the shop recovers by itself, within that period, once Redis is back.

A failure is a refused or timed-out connection or a command that timed out or lost its connection; an error
answer from Redis (a ResponseError) is an answer. The state is per process and per server address: every
alias on one server shares it, since they fail together.
"""

import logging
import threading
import time

from django.conf import settings
from django_redis.pool import ConnectionFactory
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("meiduo")

FAILURES = (RedisConnectionError, RedisTimeoutError)


class CircuitOpen(RedisConnectionError):
    """Redis failed just now; it is not tried again before the breaker's open period ends."""


class Breaker:
    """Closed (commands go through), open until `open_until` (commands refused), or half-open (one trial)."""

    def __init__(self, server):
        self.server = server
        self.failures = 0
        self.open_until = 0.0
        self.trial_until = 0.0
        self.lock = threading.Lock()

    def check(self):
        """Raise CircuitOpen while open; past the open period, let one caller through as the trial."""
        if not self.open_until:
            return
        with self.lock:
            now = time.monotonic()
            if now < self.open_until or now < self.trial_until:
                raise CircuitOpen(f"Redis at {self.server} failed just now; not tried again yet")
            # The trial's answer or failure decides; should it report neither, another trial comes later.
            self.trial_until = now + settings.REDIS_BREAKER_SECONDS

    def failed(self, error):
        # A failed connect includes its handshake's failed read: one failure, counted where it was first seen.
        if getattr(error, "counted_by_breaker", False):
            return
        error.counted_by_breaker = True
        with self.lock:
            self.failures += 1
            if self.failures < settings.REDIS_BREAKER_FAILURES and not self.open_until:
                return
            if not self.open_until:
                logger.error("Redis at %s unreachable (%r): circuit open", self.server, error)
            self.open_until = time.monotonic() + settings.REDIS_BREAKER_SECONDS
            self.trial_until = 0.0

    def answered(self):
        if not self.failures:
            return
        with self.lock:
            if self.open_until:
                logger.warning("Redis at %s answers again: circuit closed", self.server)
            self.failures = 0
            self.open_until = self.trial_until = 0.0

    def state(self):
        if not self.open_until:
            return "closed"
        return "open" if time.monotonic() < self.open_until else "half-open"


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(server):
    breaker = _breakers.get(server)
    if breaker is None:
        with _breakers_lock:
            breaker = _breakers.setdefault(server, Breaker(server))
    return breaker


def reset_breakers():
    """Close every breaker (a test's new server must not inherit an earlier test's outage); in place, since
    each connection holds its server's breaker."""
    with _breakers_lock:
        breakers = list(_breakers.values())
    for breaker in breakers:
        with breaker.lock:
            breaker.failures = 0
            breaker.open_until = breaker.trial_until = 0.0


class BreakerConnectionMixin:
    """Reports each connection's failures and answers to its server's breaker, and refuses while it is open."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        server = getattr(self, "path", None) or f"{self.host}:{self.port}"
        self.breaker = breaker_for(server)

    def connect(self):
        # Called for every command the pool hands this connection, connected or not.
        self.breaker.check()
        try:
            super().connect()
        except FAILURES as error:
            self.breaker.failed(error)
            raise

    def send_packed_command(self, *args, **kwargs):
        try:
            super().send_packed_command(*args, **kwargs)
        except FAILURES as error:
            self.breaker.failed(error)
            raise

    def read_response(self, *args, **kwargs):
        try:
            response = super().read_response(*args, **kwargs)
        except FAILURES as error:
            self.breaker.failed(error)
            raise
        self.breaker.answered()
        return response


_guarded_classes = {}


def guarded(connection_class):
    """`connection_class` (TCP, TLS or Unix socket, as the URL chose) with the breaker mixed in."""
    if issubclass(connection_class, BreakerConnectionMixin):
        return connection_class
    guarded_class = _guarded_classes.get(connection_class)
    if guarded_class is None:
        guarded_class = type(f"Guarded{connection_class.__name__}", (BreakerConnectionMixin, connection_class), {})
        _guarded_classes[connection_class] = guarded_class
    return guarded_class


class BreakerConnectionFactory(ConnectionFactory):
    """django-redis's factory (DJANGO_REDIS_CONNECTION_FACTORY) whose pools make guarded connections."""

    def get_connection_pool(self, params):
        pool = super().get_connection_pool(params)
        pool.connection_class = guarded(pool.connection_class)
        pool.reset()
        return pool


def log_worked_around(message, error):
    """Log a Redis failure the caller did without; while the circuit is open the breaker has said so once,
    and a line per request would flood the log for the whole outage."""
    if not isinstance(error, CircuitOpen):
        logger.warning(message, error)
