import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.utils.html import format_html

from celery_tasks.main import celery_app

logger = logging.getLogger("meiduo")

VERIFY_EMAIL_SUBJECT = "美多商城邮箱验证"


@celery_app.task(name="send_verify_email", bind=True, max_retries=3, default_retry_delay=30)
def send_verify_email(self, to_email, verify_url):
    """The HTML mail with the link that activates `to_email` (API.md §6.6)."""
    html = format_html(
        "<p>尊敬的用户您好！</p>"
        "<p>感谢您使用美多商城。</p>"
        "<p>您的邮箱为：{}。请点击此链接激活您的邮箱（24小时内有效）：</p>"
        '<p><a href="{}">{}</a></p>',
        to_email,
        verify_url,
        verify_url,
    )
    text = f"您的邮箱为：{to_email}。请打开此链接激活您的邮箱（24小时内有效）：{verify_url}"
    try:
        send_mail(VERIFY_EMAIL_SUBJECT, text, settings.EMAIL_FROM, [to_email], html_message=html)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("verify mail to %s not sent (%s); retrying", to_email, exc)
        raise self.retry(exc=exc) from None
