"""The replica guard: every query sent on this thread's "replica" connection, with the request it served.

A query is a violation when it ran outside a `replica_reads()` block, or while serving an endpoint that is
not in REPLICA_ENDPOINTS: reading the replica is a decision taken per endpoint, never by accident.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.core.signals import request_finished, request_started
from django.db import connections
from django.urls import Resolver404, resolve

from meiduo_mall.apps.areas.views import AreasViewSet
from meiduo_mall.apps.goods.views import CategoryHotSKUsView, CategorySKUListView, CategoryView
from meiduo_mall.apps.orders.views import SKUCommentsView
from meiduo_mall.apps.users.history import BrowseHistoryView
from meiduo_mall.utils import health
from meiduo_mall.utils.db_router import REPLICA, replica_reads_active

# (HTTP method, view class) of the endpoints opted in to replica reads.
REPLICA_ENDPOINTS = frozenset(
    {
        ("GET", CategoryView),
        ("GET", CategorySKUListView),
        ("GET", CategoryHotSKUsView),
        ("GET", AreasViewSet),
        ("GET", SKUCommentsView),
        ("GET", BrowseHistoryView),
        ("GET", health.ready),
    }
)


def view_class(path):
    try:
        func = resolve(path).func
    except Resolver404:
        return None
    return getattr(func, "cls", None) or getattr(func, "view_class", func)


@dataclass(frozen=True)
class ReplicaQuery:
    method: str | None
    path: str | None
    opted_in: bool
    sql: str

    def problem(self):
        if not self.opted_in:
            return "outside a replica_reads() block"
        if self.path is not None and (self.method, view_class(self.path)) not in REPLICA_ENDPOINTS:
            return "by an endpoint that is not opted in"
        return None


class ReplicaQueryLog:
    def __init__(self):
        self.queries = []
        self.request = (None, None)

    def _started(self, sender, environ, **kwargs):
        self.request = (environ["REQUEST_METHOD"], environ["PATH_INFO"])

    def _finished(self, sender, **kwargs):
        self.request = (None, None)

    def __call__(self, execute, sql, params, many, context):
        self.queries.append(ReplicaQuery(*self.request, replica_reads_active(), sql))
        return execute(sql, params, many, context)

    def paths(self):
        return {query.path for query in self.queries}

    def violations(self):
        return [
            f"{query.method} {query.path}: {query.sql[:120]} ({problem})"
            for query in self.queries
            if (problem := query.problem())
        ]

    @contextmanager
    def recording(self):
        request_started.connect(self._started)
        request_finished.connect(self._finished)
        try:
            with connections[REPLICA].execute_wrapper(self):
                yield self
        finally:
            request_started.disconnect(self._started)
            request_finished.disconnect(self._finished)
