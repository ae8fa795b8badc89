from celery_tasks.main import celery_app
from meiduo_mall.apps.verifications import services
from meiduo_mall.apps.verifications.sms import get_sms_backend
from meiduo_mall.apps.verifications.sms.base import SMSSendError


# Acknowledged on receipt (at most once): a redelivery after a worker crash could send the code twice,
# each one paid for; a lost code costs the shopper one more click after the 60-second interval.
# The provider refusing or being unreachable is transient: retried with jittered exponential backoff
# (up to 2, 4, 8 s), well inside the code's validity.
@celery_app.task(
    name="send_sms_code",
    autoretry_for=(SMSSendError,),
    max_retries=3,
    retry_backoff=2,
    retry_backoff_max=30,
    retry_jitter=True,
)
def send_sms_code(mobile, sms_code, expires_minutes=None):
    """`expires_minutes` is accepted for VAR-A callers."""
    services.send_sms_code(mobile, sms_code, expires_minutes)


# At most once, like the codes: a notice sent twice is paid twice and confuses the member more than a
# missing one, whose news my orders shows anyway. The provider refusing or unreachable is retried.
@celery_app.task(
    name="send_after_sales_sms",
    autoretry_for=(SMSSendError,),
    max_retries=3,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
)
def send_after_sales_sms(mobile, kind, params):
    """An after-sales notice (kind "return_approved" or "refund_succeeded") to the member's mobile."""
    get_sms_backend().send_notice(mobile, kind, params)
