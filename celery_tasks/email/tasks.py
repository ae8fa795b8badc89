import smtplib

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import send_mail
from django.utils.html import format_html

from celery_tasks.main import celery_app

VERIFY_EMAIL_SUBJECT = "美多商城邮箱验证"


# Acknowledged after it ran, and again delivered when a worker dies mid-send: a second copy of the
# same link is harmless, a lost one leaves the shopper waiting. SMTP errors, unreachable servers and
# a server that stops answering (the soft time limit) are transient: retried with jittered exponential
# backoff (up to 10, 20, 40, 80, 160 s).
@celery_app.task(
    name="send_verify_email",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, OSError, SoftTimeLimitExceeded),
    max_retries=5,
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
)
def send_verify_email(to_email, verify_url):
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
    send_mail(VERIFY_EMAIL_SUBJECT, text, settings.EMAIL_FROM, [to_email], html_message=html)
