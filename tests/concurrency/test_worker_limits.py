"""A real worker process applies the configured retries and time limits: a mail the SMTP server turns
away for now is retried with backoff and delivered once; a mail stuck on a server that never answers is
cut off by the soft time limit, retried, and the worker goes on with the next task."""

import socket

import pytest
from django.conf import settings

from celery_tasks.email.tasks import send_verify_email
from celery_tasks.sms.tasks import send_sms_code
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend
from tests.concurrency.worker_process import celery_worker, delete_queue, send, unique_queue
from tests.fakes.smtp_server import running_smtp_server

VERIFY_URL = "http://127.0.0.1:8000/success_verify_email.html?token=t"


class BusyFirstMailbox:
    """An SMTP handler that answers the first message with a temporary failure (451), then accepts."""

    def __init__(self):
        self.attempts = 0
        self.delivered = []

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts == 1:
            return "451 4.3.0 Mail server busy, try again later"
        self.delivered.append(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def broker():
    """The test settings' Redis broker, with a queue of this test's own."""
    queue = unique_queue()
    yield settings.CELERY_BROKER_URL, queue
    delete_queue(settings.CELERY_BROKER_URL, queue)


@pytest.fixture
def busy_first_smtp():
    with running_smtp_server(BusyFirstMailbox()) as server:
        yield server


@pytest.fixture
def silent_smtp():
    """A server that takes the TCP connection and never sends its greeting: smtplib waits for ever."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_temporary_smtp_failure_is_retried_and_the_mail_sent_once(broker, busy_first_smtp, tmp_path):
    broker_url, queue = broker
    mail_env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(busy_first_smtp.port)}
    with celery_worker(tmp_path / "worker.log", broker_url=broker_url, queue=queue, extra_env=mail_env) as worker:
        send(send_verify_email, "retry@meiduo.site", VERIFY_URL, broker_url=broker_url, queue=queue)

        mailbox = busy_first_smtp.handler
        worker.wait_for(lambda: mailbox.delivered, what="mail after the retry")

        assert mailbox.delivered == [["retry@meiduo.site"]]
        assert mailbox.attempts == 2
        log = worker.log()
        assert "retry: Retry in" in log and "SMTPDataError" in log
        # The retry went back through the broker (after its backoff), not round again inside the first run.
        assert log.count("] received") == 2 and log.count("] succeeded") == 1


def test_soft_time_limit_cuts_off_a_hung_mail_and_the_worker_goes_on(broker, silent_smtp, tmp_path):
    broker_url, queue = broker
    mail_env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(silent_smtp)}
    with celery_worker(tmp_path / "worker.log", broker_url=broker_url, queue=queue, extra_env=mail_env) as worker:
        # The sender stamps its settings' limits (CELERY_TASK_*TIME_LIMIT) on each message and the worker
        # enforces those: here the test process stands for a web process configured with 1 s and 5 s.
        limits = {"soft_time_limit": 1, "time_limit": 5}
        send(send_verify_email, "hung@meiduo.site", VERIFY_URL, broker_url=broker_url, queue=queue, **limits)
        worker.wait_for(lambda: "retry: Retry in" in worker.log(), what="retry after the soft time limit")

        send(send_sms_code, "13812345678", "135790", broker_url=broker_url, queue=queue)
        messages = worker.wait_for(RecordingSMSBackend.outbox, what="SMS sent after the hung mail")

        assert messages == [{"mobile": "13812345678", "code": "135790", "expires_minutes": 5}]
        log = worker.log()
        assert "Soft time limit (1s) exceeded for send_verify_email[" in log
        assert "SoftTimeLimitExceeded" in log
        assert "Hard time limit" not in log
