"""The Celery app, and how the apps hand it work: by task name, so no app imports `celery_tasks`.

The tasks live in celery_tasks/ and call the apps' services; the apps only name them. A worker
(celery_tasks.main) imports TASK_MODULES. A process that runs tasks eagerly (dev and tests,
CELERY_TASK_ALWAYS_EAGER) imports them on its first enqueue, so the task runs in place, as
`.delay()` would have run it; any other process publishes the name to the broker.
"""

from celery import Celery
from django.db import transaction
from kombu.exceptions import OperationalError

from meiduo_mall.utils.exceptions import ServiceUnavailable

TASK_MODULES = (
    "celery_tasks.sms.tasks",
    "celery_tasks.email.tasks",
    "celery_tasks.html.tasks",
    "celery_tasks.orders.tasks",
    "celery_tasks.exports.tasks",
    "celery_tasks.payment.tasks",
)

celery_app = Celery("meiduo")
celery_app.config_from_object("django.conf:settings", namespace="CELERY")
celery_app.conf.imports = TASK_MODULES


class TaskQueueUnavailable(ServiceUnavailable):
    """The broker refused or did not answer within CELERY_BROKER_*_TIMEOUT (and one retry): a 503."""


def enqueue(name, *args, **kwargs):
    """Run the task `name` with these arguments: queued for a worker, or in place where tasks run eagerly.
    Raises TaskQueueUnavailable when the broker cannot take it."""
    if celery_app.conf.task_always_eager:
        if name not in celery_app.tasks:
            celery_app.loader.import_default_modules()
        return celery_app.tasks[name].apply_async(args, kwargs)
    try:
        return celery_app.send_task(name, args, kwargs)
    except OperationalError as exc:
        raise TaskQueueUnavailable(f"broker unavailable for {name}: {exc!r}") from exc


def enqueue_after_commit(name, *args, **kwargs):
    """enqueue() once the current transaction commits (at once outside one), so the task reads what was
    written. Robust: the change stands even when the broker is down; what the task missed is logged."""

    # A named function, not a partial: Django names a robust callback that raised by its __qualname__.
    def enqueue_committed():
        enqueue(name, *args, **kwargs)

    transaction.on_commit(enqueue_committed, robust=True)
