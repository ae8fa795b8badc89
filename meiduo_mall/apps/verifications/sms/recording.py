import json

from django_redis import get_redis_connection

from .base import BaseSMSBackend

OUTBOX_KEY = "sms_outbox"


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
