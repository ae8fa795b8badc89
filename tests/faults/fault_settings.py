"""The test settings for the shop and the Celery workers that fault tests start in subprocesses.

The primary gets production's timeouts (meiduo_mall/settings/prod.py reads the same DB_*_TIMEOUT), so a
stopped or hung MariaDB costs what it costs in production. Redis redelivers a dead worker's late-acknowledged
task after CELERY_VISIBILITY_TIMEOUT, looked for every second instead of every 100 s, and a worker imports the
fault hooks (worker_hooks.py), idle unless a test names one in the environment.
"""

from meiduo_mall.settings.test import *  # noqa: F403
from meiduo_mall.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES, env

DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"]["OPTIONS"],
    "connect_timeout": int(env("DB_CONNECT_TIMEOUT", "3")),
    "read_timeout": int(env("DB_READ_TIMEOUT", "15")),
    "write_timeout": int(env("DB_WRITE_TIMEOUT", "15")),
}
# The throwaway MariaDB has no replica; reads stay on the primary as the test settings have them.
DATABASES.pop("replica", None)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_INCLUDE = ["tests.faults.worker_hooks"]
