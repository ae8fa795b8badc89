import json

from django_redis import get_redis_connection

from .base import BaseSMSBackend, notice_text

OUTBOX_KEY = "sms_outbox"
NOTICES_KEY = "sms_notices"


def _outbox_redis():
    return get_redis_connection("verify_codes")


class RecordingSMSBackend(BaseSMSBackend):
    """Tests: keep every message in a Redis list.

    A list in Redis rather than memory, because a Celery worker running in another process
    sends the message and the test has to see it.
    """

    def send_verification_code(self, mobile, code, expires_minutes):
        message = {"mobile": mobile, "code": code, "expires_minutes": expires_minutes}
        _outbox_redis().rpush(OUTBOX_KEY, json.dumps(message))

    @staticmethod
    def outbox():
        """Messages sent so far, oldest first: [{"mobile", "code", "expires_minutes"}]."""
        return [json.loads(item) for item in _outbox_redis().lrange(OUTBOX_KEY, 0, -1)]

    def send_notice(self, mobile, kind, params):
        message = {"mobile": mobile, "kind": kind, "params": params, "text": notice_text(kind, params)}
        _outbox_redis().rpush(NOTICES_KEY, json.dumps(message, ensure_ascii=False))

    @staticmethod
    def notices():
        """After-sales notices sent so far, oldest first: [{"mobile", "kind", "params", "text"}]."""
        return [json.loads(item) for item in _outbox_redis().lrange(NOTICES_KEY, 0, -1)]
