from celery_tasks.main import celery_app
from meiduo_mall.apps.orders import services


# Idempotent (each order moves 1 → 6 by one conditional UPDATE), so acknowledged after it ran and
# delivered again when a worker dies mid-run. No retries: beat runs it again every minute.
@celery_app.task(name="cancel_expired_orders", acks_late=True, reject_on_worker_lost=True)
def cancel_expired_orders():
    """Beat runs this every minute: unpaid orders past the timeout give their stock back."""
    return services.cancel_expired_orders()


# Idempotent (each run recomputes the sums), so a lost or repeated run costs nothing; beat runs it every minute.
@celery_app.task(name="refresh_goods_sales", acks_late=True, reject_on_worker_lost=True)
def refresh_goods_sales():
    """Beat runs this every minute: each SPU's sales become the sum of its SKUs' sales."""
    return services.refresh_goods_sales()
