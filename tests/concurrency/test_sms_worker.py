"""A real Celery worker process sends the SMS of GET /sms_codes/<mobile>/ through the recording backend."""

import time

import pytest
from django_redis import get_redis_connection

from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend


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
