"""A real Celery worker process sends the SMS of GET /sms_codes/<mobile>/ through the recording backend."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django_redis import get_redis_connection
from redis import Redis

from celery_tasks.main import celery_app
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


@pytest.fixture
def real_worker(settings, tmp_path):
    """A solo worker on the test's Redis broker; the test process queues instead of running tasks itself."""
    Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    log = (tmp_path / "worker.log").open("wb")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "meiduo_mall.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": settings.REDIS_URL,
        "DB_NAME": settings.DATABASES["default"]["NAME"],
    }
    worker = subprocess.Popen(
        [
            str(CELERY),
            "-A",
            "celery_tasks.main",
            "worker",
            "-P",
            "solo",
            "-c",
            "1",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    try:
        yield worker, tmp_path / "worker.log"
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


def wait_for_outbox(worker, log_path, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = RecordingSMSBackend.outbox()
        if messages:
            return messages
        assert worker.poll() is None, log_path.read_text()
        time.sleep(0.2)
    return []


@pytest.mark.django_db
def test_worker_process_sends_the_sms_code(api_client, real_worker):
    response = api_client.get("/sms_codes/13812345678/")
    assert response.status_code == 200
    code = get_redis_connection("verify_codes").get("sms_13812345678").decode()

    messages = wait_for_outbox(*real_worker)

    assert messages == [{"mobile": "13812345678", "code": code, "expires_minutes": 5}]
    worker_log = real_worker[1].read_text()
    assert "Task send_sms_code[" in worker_log
    assert code not in worker_log
