"""One order per intent: the way requests place orders (services.place_order is the rule itself).

A double click, a retry after a lost answer or a second tab must not make a second order from the same
cart: a member places one order at a time, and the page's Idempotency-Key finds the order it already made.
"""

import logging
import re
from contextlib import contextmanager

from django_redis import get_redis_connection
from redis.exceptions import LockError

from .exceptions import OrderInProgress, UnableToPlaceOrder
from .models import OrderInfo
from .services import PRIMARY, place_order

# A placement takes well under a second; the member's lock outlives a stuck one by no more than this.
PLACEMENT_LOCK_SECONDS = 10
# What a page may send as Idempotency-Key (a UUID fits): it is stored with the order.
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")

logger = logging.getLogger("meiduo")


def place_order_once(user, address, pay_method, idempotency_key=None, coupon_id=None):
    """services.place_order for a request: returns (order, created).

    A second placement while the member's first runs raises OrderInProgress (409). The order made with
    `idempotency_key` is returned, not made again, when the page sends that key again (created False).
    """
    if idempotency_key is not None and not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise UnableToPlaceOrder("Idempotency-Key 无效")
    with _placing_for(user):
        if idempotency_key is not None:
            placed = OrderInfo.objects.using(PRIMARY).filter(user=user, idempotency_key=idempotency_key).first()
            if placed is not None:
                return placed, False
        return place_order(user, address, pay_method, idempotency_key, coupon_id), True


@contextmanager
def _placing_for(user):
    """The member's placement lock, held from reading the cart to emptying it.

    A Redis key (SET NX PX, released only by its holder) rather than a lock on the member's row:
    the cart it guards is in Redis already, and a row lock would need a transaction open from the
    cart read to its clearing, around the stock transaction, which could then no longer be retried
    after a deadlock. The lock is not waited for: a second submit answers 409 at once.
    """
    lock = get_redis_connection("cart").lock(f"placing_order_{user.id}", timeout=PLACEMENT_LOCK_SECONDS)
    if not lock.acquire(blocking=False):
        raise OrderInProgress()
    try:
        yield
    finally:
        try:
            lock.release()
        except LockError:
            # The placement outlived the lock; the order (if any) stands, and its key still guards a retry.
            logger.warning("order placement lock %s expired before it was released", lock.name)
