import logging

from django.conf import settings

from celery_tasks.main import celery_app
from meiduo_mall.apps.verifications.sms import get_sms_backend
from meiduo_mall.apps.verifications.sms.base import SMSSendError

logger = logging.getLogger("meiduo")


@celery_app.task(name="send_sms_code", bind=True, max_retries=3, default_retry_delay=10)
def send_sms_code(self, mobile, sms_code, expires_minutes=None):
    """Send a verification code by SMS. `expires_minutes` is accepted for VAR-A callers."""
    minutes = expires_minutes or settings.SMS_CODE_REDIS_EXPIRES // 60
    try:
        get_sms_backend().send_verification_code(mobile, sms_code, int(minutes))
    except SMSSendError as exc:
        logger.warning("SMS to %s not sent (%s); retrying", mobile, exc)
        raise self.retry(exc=exc) from None
