import base64
import hashlib
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from meiduo_mall.apps.verifications.sms import get_sms_backend
from meiduo_mall.apps.verifications.sms.base import SMSSendError
from meiduo_mall.apps.verifications.sms.console import ConsoleSMSBackend
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend
from meiduo_mall.apps.verifications.sms.ronglian import RonglianSMSBackend

SID, TOKEN, APP_ID = "8aaf0708a0000000000000000000sid", "auth-token-0123456789", "8a216da8app"


class FakeRonglian(BaseHTTPRequestHandler):
    """Ronglian's TemplateSMS endpoint: checks sig, Authorization and the body as the real one does."""

    status_code = "000000"
    received = []

    def do_POST(self):
        url = urlparse(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        sid, timestamp = base64.b64decode(self.headers["Authorization"]).decode().split(":")
        expected_sig = hashlib.md5(f"{SID}{TOKEN}{timestamp}".encode()).hexdigest().upper()
        ok = (
            url.path == f"/2013-12-26/Accounts/{SID}/SMS/TemplateSMS"
            and parse_qs(url.query).get("sig") == [expected_sig]
            and sid == SID
            and len(timestamp) == 14
            and body["appId"] == APP_ID
        )
        self.received.append(body)
        answer = {"statusCode": self.status_code if ok else "160032", "statusMsg": "ok" if ok else "bad request"}
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def ronglian_server():
    FakeRonglian.received = []
    FakeRonglian.status_code = "000000"
    server = HTTPServer(("127.0.0.1", 0), FakeRonglian)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def ronglian_backend(server, sid=SID):
    config = {
        "ACCOUNT_SID": sid,
        "AUTH_TOKEN": TOKEN,
        "APP_ID": APP_ID,
        "TEMPLATE_ID": "1",
        "BASE_URL": f"http://127.0.0.1:{server.server_port}",
    }
    return RonglianSMSBackend(config=config)


def test_ronglian_request_is_signed_and_carries_the_template_data(ronglian_server):
    ronglian_backend(ronglian_server).send_verification_code("13812345678", "012345", 5)

    assert FakeRonglian.received == [
        {"to": "13812345678", "appId": APP_ID, "templateId": "1", "datas": ["012345", "5"]}
    ]


def test_ronglian_refusal_raises_without_the_code(ronglian_server, caplog):
    FakeRonglian.status_code = "160040"

    with pytest.raises(SMSSendError, match="160040") as error:
        ronglian_backend(ronglian_server).send_verification_code("13812345678", "987654", 5)

    assert "987654" not in str(error.value)
    assert "987654" not in caplog.text


def test_ronglian_wrong_signature_is_refused_by_the_server(ronglian_server):
    with pytest.raises(SMSSendError, match="160032"):
        ronglian_backend(ronglian_server, sid="another-sid").send_verification_code("13812345678", "111111", 5)


def test_ronglian_unreachable_raises():
    config = {
        "ACCOUNT_SID": SID,
        "AUTH_TOKEN": TOKEN,
        "APP_ID": APP_ID,
        "TEMPLATE_ID": "1",
        "BASE_URL": "http://127.0.0.1:9",
    }
    with pytest.raises(SMSSendError, match="不可用"):
        RonglianSMSBackend(config=config, timeout=1).send_verification_code("13812345678", "111111", 5)


def test_console_backend_writes_one_line_with_mobile_and_code():
    stream = io.StringIO()
    ConsoleSMSBackend(stream=stream).send_verification_code("13812345678", "246810", 5)

    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert "13812345678" in lines[0] and "246810" in lines[0]


def test_settings_pick_the_backend(settings):
    assert isinstance(get_sms_backend(), RecordingSMSBackend)
    settings.SMS_BACKEND = "meiduo_mall.apps.verifications.sms.console.ConsoleSMSBackend"
    assert isinstance(get_sms_backend(), ConsoleSMSBackend)


def test_recording_backend_keeps_messages_in_order():
    backend = get_sms_backend()
    backend.send_verification_code("13800000001", "000001", 5)
    backend.send_verification_code("13800000002", "000002", 5)

    assert [m["mobile"] for m in RecordingSMSBackend.outbox()] == ["13800000001", "13800000002"]
