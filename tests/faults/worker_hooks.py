"""Hook points a test arms in a Celery worker it starts (fault_settings.py makes every such worker import this).

MEIDUO_FAULT_PAUSE_CANCEL=<n>:<marker path>: the n-th order the worker's cancel_expired_orders is about to
cancel (orders.services.order_cancelling) stops the task there, after the orders before it were cancelled and
committed: the marker file is written and the task sleeps until the test kills the worker.
"""

import os
import time
from pathlib import Path

from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.services import order_cancelling

PAUSE_CANCEL = os.environ.get("MEIDUO_FAULT_PAUSE_CANCEL")
_cancelling = []


def pause_at_nth_cancel(sender, order, **kwargs):
    nth, marker = PAUSE_CANCEL.split(":", 1)
    _cancelling.append(order.pk)
    if len(_cancelling) == int(nth):
        Path(marker).write_text(order.pk)
        while True:
            time.sleep(1)


if PAUSE_CANCEL:
    order_cancelling.connect(pause_at_nth_cancel, sender=OrderInfo, weak=False)
