"""The Celery worker and beat: celery -A celery_tasks.main worker -l info

The settings come from DJANGO_SETTINGS_MODULE and nowhere else: a worker that guessed them could
send no SMS (the dev console backend) or write to the wrong database. `make worker` and `make beat`
set the dev settings, docker/ and scripts/ set theirs. The app itself is meiduo_mall.utils.tasks's,
the one the web processes enqueue with.
"""

import os

from django.core.exceptions import ImproperlyConfigured

if not os.environ.get("DJANGO_SETTINGS_MODULE"):
    raise ImproperlyConfigured(
        "celery_tasks needs DJANGO_SETTINGS_MODULE, e.g. DJANGO_SETTINGS_MODULE=meiduo_mall.settings.prod "
        "celery -A celery_tasks.main worker (make worker sets the dev settings)"
    )

import django  # noqa: E402
from django.apps import apps  # noqa: E402

if not apps.ready:
    django.setup()

from meiduo_mall.utils.tasks import celery_app  # noqa: E402

app = celery_app
