"""The embedded demo of `make run`: SQLite, embedded Redis, eager Celery, console SMS and mail."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = ["*"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
        "OPTIONS": {"timeout": 20},
    }
}

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
SERVE_FRONT_END = True
CORS_ALLOW_ALL_ORIGINS = False
