from celery_tasks.main import celery_app
from meiduo_mall.apps.payment import services
from meiduo_mall.apps.payment.exceptions import RefundUnconfirmed


# Safe to run twice (the gateway refunds one out_request_no once, and every status move is conditional), so
# acknowledged after it ran and delivered again when a worker dies mid-run. No answer from the gateway is
# retried with jittered exponential backoff (5 s up to 5 min); after the last retry the refund stays 退款中
# and the beat's query settles it.
@celery_app.task(
    name="send_refund",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(RefundUnconfirmed,),
    max_retries=5,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
)
def send_refund(refund_id):
    """Send one refund through the payment gateway; orders.services.request_refund queues it after commit."""
    return services.send_refund(refund_id)


# Idempotent (it only asks the gateway and applies conditional moves); beat runs it every minute.
@celery_app.task(name="query_processing_refunds", acks_late=True, reject_on_worker_lost=True)
def query_processing_refunds():
    """Beat runs this every minute: refunds still 退款中 are asked about, lost pending ones sent again."""
    return services.query_processing_refunds()
