"""Real threads racing for the same SMS send and the same SMS code: exactly one wins each race."""

import threading

from django_redis import get_redis_connection

from meiduo_mall.apps.verifications.exceptions import VerificationError
from meiduo_mall.apps.verifications.services import issue_sms_code, use_sms_code
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend

MOBILE = "13811110000"
THREADS = 8


def race(action):
    """Run `action` in THREADS threads released together; return how many returned without error."""
    barrier = threading.Barrier(THREADS)
    wins = []

    def run():
        barrier.wait()
        try:
            action()
        except VerificationError:
            return
        wins.append(1)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(wins)


def test_simultaneous_requests_send_one_sms():
    assert race(lambda: issue_sms_code(MOBILE, "10.0.0.1")) == 1
    assert len(RecordingSMSBackend.outbox()) == 1
    assert get_redis_connection("verify_codes").get(f"sms_count_mobile_{MOBILE}") == b"1"


def test_simultaneous_uses_of_one_code_succeed_once():
    issue_sms_code(MOBILE, "10.0.0.1")
    code = get_redis_connection("verify_codes").get(f"sms_{MOBILE}").decode()

    assert race(lambda: use_sms_code(MOBILE, code)) == 1
