"""Tests: real MariaDB and Redis (see scripts/services.sh), recording SMS, pages served by Django."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env, env_bool, replica_database

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
SIMPLE_JWT["SIGNING_KEY"] = SECRET_KEY  # noqa: F405

# Fast hashing: the suite creates many users; production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SMS_BACKEND = "meiduo_mall.apps.verifications.sms.recording.RecordingSMSBackend"
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_PORT = int(env("EMAIL_PORT", "8025"))

# Eager in the test process; a real worker started by a test turns it off, or its retries would run inline.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
SERVE_FRONT_END = True
MEDIA_ROOT = VAR_DIR / "test_media"
# Generated home and detail pages stay out of front_end_pc/, so the demo never shows test goods.
GENERATED_STATIC_HTML_FILES_DIR = VAR_DIR / f"test_html_{env('DB_NAME', 'meiduo_mall')}"
# One index per test database, so suites run side by side (DB_NAME) never share an index writer's lock.
HAYSTACK_CONNECTIONS["default"]["PATH"] = str(VAR_DIR / f"test_search_index_{env('DB_NAME', 'meiduo_mall')}")  # noqa: F405

# The read replica of scripts/replica.sh. TEST MIRROR keeps the test runner from creating, migrating or
# flushing a test database there: replication brings the primary's, truncations included. Django's
# set_as_test_mirror() copies only NAME (test_<DB_NAME>), so the alias keeps its own HOST and PORT and its
# reads really come from the replica server. Tests reach it only with "replica" in their `databases`.
DATABASES["replica"] = replica_database(DATABASES["default"], default_port="3307")
DATABASES["replica"]["TEST"] = {**DATABASES["replica"]["TEST"], "MIRROR": "default"}
# Rows written inside a test's open transaction never reach the replica, so opted-in reads stay on the
# primary except in the replica tests (tests/replica/), which commit and switch them on.
DB_REPLICA_READS = False
# Redis is flushed between tests while the process lives on: each read asks Redis, unless a test turns the
# per-process copies on.
READY_JSON_LOCAL_SECONDS = 0
# The suite's own Redis shares a loaded test machine: its commands get production's stall detection only in
# tests/faults/, whose throwaway servers are given REDIS_SOCKET_TIMEOUT (tests/faults/redis_server.py). Here a
# slow moment must not open the breaker under unrelated tests.
for _config in CACHES.values():  # noqa: F405
    _config["OPTIONS"] = {**_config["OPTIONS"], "SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2}
