from celery_tasks.main import celery_app
from meiduo_mall.apps.orders import services


# Idempotent (each order moves 1 → 6 by one conditional UPDATE), so acknowledged after it ran and
# delivered again when a worker dies mid-run. No retries: beat runs it again every minute.
@celery_app.task(name="cancel_expired_orders", acks_late=True, reject_on_worker_lost=True)
def cancel_expired_orders():
    """Beat runs this every minute: unpaid orders past the timeout give their stock back."""
    return services.cancel_expired_orders()
