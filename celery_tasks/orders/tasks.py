from celery_tasks.main import celery_app
from meiduo_mall.apps.orders import services


@celery_app.task(name="cancel_expired_orders")
def cancel_expired_orders():
    """Beat runs this every minute: unpaid orders past the timeout give their stock back."""
    return services.cancel_expired_orders()
