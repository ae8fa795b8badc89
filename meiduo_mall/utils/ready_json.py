"""Public answers kept as ready-made JSON bytes under a version number, in Redis and for a moment in each process.

A change never looks for the entries it makes stale: it bumps the version, and an entry, stored as
b"<version> <payload>", is only served while its version is the current one. A read fetches the version and
the entry in one MGET, so a Redis hit is one round trip and nothing is decoded but the version.

Each process also keeps the entries it served, with the version it last read from Redis: for
READY_JSON_LOCAL_SECONDS after that read a hit costs no round trip at all. A bump in the process drops them at
once; a bump in another process (another uwsgi worker, a management command) shows within that many seconds,
the same order of lag the replica reads of these answers already accept.

When Redis fails, a read reports a miss without a version and a write is skipped: the caller computes the
answer from the database, so the pages keep working, just slower.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django_redis import get_redis_connection
from redis.exceptions import RedisError
from rest_framework.exceptions import APIException
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from meiduo_mall.utils.exceptions import ShopError
from meiduo_mall.utils.redis_breaker import log_worked_around

ENTRY_TIMEOUT = 3600
LOCAL_ENTRIES = 4096


class VersionedJSONCache:
    """Entries `<name>` under the version kept in the cache key `version_key` of the default cache."""

    def __init__(self, version_key):
        self.version_key = version_key
        self._raw_keys = {}
        self._local = {}
        self._local_version = None
        self._local_until = 0.0

    def raw_key(self, name):
        """`name` as the default cache names it (prefix, version), computed once per name."""
        key = self._raw_keys.get(name)
        if key is None:
            if len(self._raw_keys) >= LOCAL_ENTRIES:
                self._raw_keys.clear()
            key = self._raw_keys[name] = cache.make_key(name).encode()
        return key

    def read(self, name):
        """(current version, the bytes kept under `name` for it or None); (None, None) when Redis fails."""
        if time.monotonic() < self._local_until:
            entry = self._local.get(name)
            if entry is not None and entry[0] == self._local_version:
                return entry
        try:
            version, stored = get_redis_connection("default").mget(self.raw_key(self.version_key), self.raw_key(name))
            if version is None:
                version, stored = self.start_version(), None
        except RedisError as exc:
            log_worked_around("ready JSON cache unavailable, answering from the database: %r", exc)
            return None, None
        version = int(version)
        self.remember_version(version)
        built_under, _, payload = (stored or b"").partition(b" ")
        if built_under != b"%d" % version:
            return version, None
        self.keep_locally(name, version, payload)
        return version, payload

    def write(self, name, version, payload):
        """Keep `payload` under `name` for `version` (the one read() gave); nothing without a version."""
        if version is None:
            return
        try:
            get_redis_connection("default").set(self.raw_key(name), b"%d %s" % (version, payload), ex=ENTRY_TIMEOUT)
        except RedisError as exc:
            log_worked_around("ready JSON cache unavailable, answer not kept: %r", exc)
            return
        self.keep_locally(name, version, payload)

    def version(self):
        version = cache.get(self.version_key)
        return self.start_version() if version is None else version

    def start_version(self):
        # A clock-based start never reuses a number whose entries may still sit in Redis.
        start = time.time_ns()
        if cache.add(self.version_key, start, timeout=None):
            return start
        # Another process started it first; should the key vanish again meanwhile (a flush), ours serves.
        version = cache.get(self.version_key)
        return start if version is None else version

    def bump(self):
        self.forget_local()
        try:
            cache.incr(self.version_key)
        except ValueError:
            self.start_version()

    def remember_version(self, version):
        if version != self._local_version:
            self._local = {}
            self._local_version = version
        self._local_until = time.monotonic() + settings.READY_JSON_LOCAL_SECONDS

    def keep_locally(self, name, version, payload):
        if version != self._local_version or not settings.READY_JSON_LOCAL_SECONDS:
            return
        if len(self._local) >= LOCAL_ENTRIES:
            self._local = {}
        self._local[name] = (version, payload)

    def forget_local(self):
        self._local = {}
        self._local_version = None
        self._local_until = 0.0


class JSONOnly(BaseContentNegotiation):
    """The shop answers JSON whatever the Accept header says; parsing the header took a cached page
    about two thirds of what its Redis round trip takes."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ReadyJSONAnswerMixin:
    """GET answered by `answer(request, **url_kwargs)`, the body's bytes, without DRF's request wrapping,
    authentication, permission or throttle work: most of what a cached answer would otherwise cost.

    An answer that fails (a 404, a database outage) goes through DRF's own dispatch instead, whose get()
    asks `answer` again, so errors are rendered and handled exactly as DRF does.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET":
            try:
                body = self.answer(request, **kwargs)
            except (APIException, ShopError, DatabaseError):
                return super().dispatch(request, *args, **kwargs)
            return json_response(body)
        return super().dispatch(request, *args, **kwargs)


def json_response(body):
    return HttpResponse(body, content_type="application/json")


class PublicCachedJSONView(ReadyJSONAnswerMixin, APIView):
    """A public, read-only view answering JSON that the cache holds ready-made: no authentication,
    permission or content negotiation work per request, and DRF renders only the errors."""

    authentication_classes = ()
    permission_classes = ()
    content_negotiation_class = JSONOnly

    # Subclasses override get() only to hang their OpenAPI description on it.
    def get(self, request, **kwargs):
        return json_response(self.answer(request, **kwargs))
