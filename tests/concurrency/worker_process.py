"""A real Celery worker process as production runs it (prefork pool, time limits enforced), on a broker
and a queue of the test's choosing, and a way to send it a task.

Each worker consumes a queue of its own (CELERY_TASK_DEFAULT_QUEUE), named per test, so test runs
sharing one broker (the RabbitMQ of a CI machine) never take each other's messages.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from kombu import Connection

from celery_tasks.main import celery_app

ROOT = Path(__file__).resolve().parent.parent.parent
CELERY = Path(sys.executable).with_name("celery")
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"


def unique_queue():
    return f"meiduo-test-{uuid.uuid4().hex[:12]}"


class Worker:
    def __init__(self, process, log_path):
        self.process = process
        self.log_path = log_path

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_for(self, condition, seconds=60, what="the condition"):
        """Poll `condition()` until it is true; fail with the worker's log when it dies or time runs out."""
        deadline = time.monotonic() + seconds
        while True:
            value = condition()
            if value:
                return value
            assert self.process.poll() is None, f"worker exited:\n{self.log()}"
            assert time.monotonic() < deadline, f"no {what} within {seconds} s; worker log:\n{self.log()}"
            time.sleep(0.2)

    def kill(self):
        """SIGKILL the worker and its pool children at once, as the OOM killer or a lost machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextmanager
def celery_worker(log_path, *, broker_url, queue, extra_env=None):
    """A `celery worker` subprocess (prefork, one child) on `broker_url`, consuming `queue`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "meiduo_mall.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": settings.REDIS_URL,
        "DB_NAME": settings.DATABASES["default"]["NAME"],
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **(extra_env or {}),
    }
    command = [str(CELERY), "-A", "celery_tasks.main", "worker", "-P", "prefork", "-c", "1", "-l", "info"]
    command += ["-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    worker = Worker(process, log_path)
    try:
        yield worker
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def send(task, *args, broker_url, queue, **options):
    """Publish `task` to `queue` on `broker_url` as `.delay()` would, whatever the test settings' broker."""
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write(broker_url) as connection:
            task.apply_async(args, queue=queue, connection=connection, **options)
    finally:
        celery_app.conf.task_always_eager = True


def delete_queue(broker_url, queue):
    """Remove the test's queue (and its exchange, named alike) from the broker."""
    with Connection(broker_url) as connection:
        channel = connection.default_channel
        channel.queue_delete(queue)
        channel.exchange_delete(queue)
