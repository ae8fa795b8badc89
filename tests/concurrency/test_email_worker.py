"""A real Celery worker process sends the verification mail of PUT /email/ to the loopback SMTP server."""

import re
import time
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest

from meiduo_mall.apps.users.models import User


@pytest.fixture
def worker_mailbox(mailbox, smtp_server, monkeypatch):
    """The worker process reads its mail settings from the environment: point them at the loopback server."""
    monkeypatch.setenv("EMAIL_HOST", smtp_server.hostname)
    monkeypatch.setenv("EMAIL_PORT", str(smtp_server.port))
    return mailbox


@pytest.mark.django_db
def test_worker_process_mails_the_verify_link(
    worker_mailbox,
    real_worker,
    auth_client,
    user,
    api_client,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.put("/email/", {"email": "worker@meiduo.site"}, format="json")
    assert response.status_code == 200

    worker, log_path = real_worker
    deadline = time.monotonic() + 30
    while not worker_mailbox.messages and time.monotonic() < deadline:
        assert worker.poll() is None, log_path.read_text()
        time.sleep(0.2)
    [message] = worker_mailbox.messages
    assert message["To"] == "worker@meiduo.site"
    assert "Task send_verify_email[" in log_path.read_text()

    link = unescape(re.search(r'href="([^"]+)"', message.get_body(("html",)).get_content()).group(1))
    token = parse_qs(urlparse(link).query)["token"][0]
    assert api_client.get("/emails/verification/", {"token": token}).status_code == 200
    assert User.objects.get(pk=user.pk).email_active
