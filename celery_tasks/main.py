"""The Celery app. Start a worker with: celery -A celery_tasks.main worker -l info"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meiduo_mall.settings.dev")

import django  # noqa: E402

django.setup()

celery_app = Celery("meiduo")
celery_app.config_from_object("django.conf:settings", namespace="CELERY")
celery_app.autodiscover_tasks(["celery_tasks.sms", "celery_tasks.email", "celery_tasks.html", "celery_tasks.orders"])
app = celery_app
