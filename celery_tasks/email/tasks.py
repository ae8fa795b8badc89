import smtplib

from celery.exceptions import SoftTimeLimitExceeded

from celery_tasks.main import celery_app
from meiduo_mall.apps.users import email_verification


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
    email_verification.send_verify_email(to_email, verify_url)
