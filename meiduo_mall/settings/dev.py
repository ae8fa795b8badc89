"""The embedded demo of `make run`: SQLite, embedded Redis, a Celery worker and beat, console SMS and mail.

DEBUG is off as in production, so shoppers see the shop's own error pages; DJANGO_DEBUG=1 turns
Django's debug pages on for developers. The front end and media are served by Django
(SERVE_FRONT_END), which does not depend on DEBUG.
"""

from .base import *  # noqa: F403
from .base import VAR_DIR, env, env_bool

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = ["*"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
        "OPTIONS": {
            # WAL lets readers go on while one writer commits (the web server, the worker and beat
            # share the file). IMMEDIATE takes the write lock when a transaction begins, not at its
            # first write, so buyers racing for the last stock queue for the lock instead of failing
            # with "database is locked" when a read lock cannot be upgraded; they wait up to
            # `timeout` seconds for it.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}

# `make run` starts a worker and beat (scripts/run_demo.py); CELERY_TASK_ALWAYS_EAGER=1 runs tasks
# in the web process instead, for a manage.py runserver without them.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
SERVE_FRONT_END = True
CORS_ALLOW_ALL_ORIGINS = False
