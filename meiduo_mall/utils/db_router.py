"""Read/write splitting: the primary ("default") takes every write and, by default, every read; code that
tolerates a few seconds of replication lag opts in with `replica_reads()` to read from "replica".

Inside an opted-in block a read still goes to the primary when
- no replica is configured, or DB_REPLICA_READS is off;
- its model decides something (PRIMARY_ONLY: sign-in and permissions, order status, payments, carts);
- the primary is inside an atomic block (what the transaction wrote is only there);
- this request (or, outside a request, this block) has already written: it must read its own write;
- the replica failed to connect less than DB_REPLICA_RETRY_SECONDS ago (the breaker below).

Stock is decided only by cart and order code, which never runs in an opted-in block, and order placement
reads inside its transaction; list pages, detail pages and search show SKUs but take no stock decision.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger("meiduo")

PRIMARY = "default"
REPLICA = "replica"

# App labels, or "app_label.model_name", whose reads never come from the replica. Comment lines
# (orders.ordergoods) are public content shown on detail pages and may.
PRIMARY_ONLY = frozenset(
    {"auth", "users", "oauth", "sessions", "admin", "carts", "payment", "verifications", "orders.orderinfo"}
)


class _Scope:
    """What one request (or one opted-in block outside a request) has done so far."""

    __slots__ = ("wrote",)

    def __init__(self):
        self.wrote = False


_scope: ContextVar[_Scope | None] = ContextVar("db_scope", default=None)
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads():
    """Let the reads of this block go to the replica; `with replica_reads():` or `@replica_reads()`.

    Context variables keep the opt-in to this thread or task, so concurrent requests never share it.
    """
    scope_token = _scope.set(_Scope()) if _scope.get() is None else None
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)
        if scope_token is not None:
            _scope.reset(scope_token)


def replica_reads_active():
    return _replica_reads.get()


class ReplicaScopeMiddleware:
    """Each request starts without writes, so a write earlier in the same request keeps its later reads
    on the primary, and one request's write does not keep the next one off the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _scope.set(_Scope())
        try:
            return self.get_response(request)
        finally:
            _scope.reset(token)


class ReplicaBreaker:
    """After the replica failed to connect, leave it alone for DB_REPLICA_RETRY_SECONDS: a stopped replica
    costs one connection attempt (bounded by its connect_timeout) per period, not one per query."""

    def __init__(self):
        self.open_until = 0.0

    def allows(self):
        return time.monotonic() >= self.open_until

    def trip(self):
        self.open_until = time.monotonic() + settings.DB_REPLICA_RETRY_SECONDS

    def reset(self):
        self.open_until = 0.0


replica_breaker = ReplicaBreaker()


def replica_reachable():
    """Whether the replica answers, connecting (or pinging a persistent connection once per request) if
    needed; a failure trips the breaker."""
    if not replica_breaker.allows():
        return False
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as exc:
        replica_breaker.trip()
        connection.close()
        logger.warning(
            "replica unreachable, reading from the primary for %ss: %s", settings.DB_REPLICA_RETRY_SECONDS, exc
        )
        return False
    return True


def wait_for_replica(timeout):
    """Wait up to `timeout` seconds until the replica has applied everything committed on the primary so far;
    whether it has (False without a reachable replica). MariaDB GTIDs: MASTER_GTID_WAIT on the replica."""
    with replica_reads():
        if not replica_configured() or not replica_reachable():
            return False
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT @@gtid_binlog_pos")
            (position,) = cursor.fetchone()
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT MASTER_GTID_WAIT(%s, %s)", [position, timeout])
            (reached,) = cursor.fetchone()
    return reached == 0


def replica_status():
    """For /health/ready/: None without a replica, else "ok" or "unavailable" (reads then use the primary)."""
    if not replica_configured():
        return None
    with replica_reads():
        return "ok" if replica_reachable() else "unavailable"


def replica_configured():
    return settings.DB_REPLICA_READS and REPLICA in settings.DATABASES


def primary_only(model):
    meta = model._meta
    return meta.app_label in PRIMARY_ONLY or meta.label_lower in PRIMARY_ONLY


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or not replica_configured():
            return PRIMARY
        scope = _scope.get()
        if primary_only(model) or (scope is not None and scope.wrote) or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA if replica_reachable() else PRIMARY

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
