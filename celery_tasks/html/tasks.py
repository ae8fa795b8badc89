from celery_tasks.main import celery_app  # noqa: F401
