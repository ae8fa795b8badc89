"""The Celery app. Start a worker with: celery -A celery_tasks.main worker -l info

Like wsgi.py, a process started without DJANGO_SETTINGS_MODULE gets the production settings: a
worker that silently ran the dev settings would send no SMS (console backend) and write to SQLite,
while the production settings refuse to start without DJANGO_SECRET_KEY. Dev and tests run tasks
eagerly; a worker for them is started with DJANGO_SETTINGS_MODULE set.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meiduo_mall.settings.prod")

import django  # noqa: E402

django.setup()

celery_app = Celery("meiduo")
celery_app.config_from_object("django.conf:settings", namespace="CELERY")
celery_app.autodiscover_tasks(["celery_tasks.sms", "celery_tasks.email", "celery_tasks.html", "celery_tasks.orders"])
app = celery_app
