"""The order rules: settle, place, pay, cancel, ship, receive and comment.

This module owns every move of OrderInfo.status (the life cycle in docs/architecture.md): views,
the Celery task, the back office and the payment app call these functions; none of them touches
stock or order states by itself.
"""

import logging
import random
import time
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import IntegrityError, OperationalError, connections, transaction
from django.db.models import Case, F, IntegerField, Sum, Value, When
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone

from meiduo_mall.apps.carts.services import CART_LINE_SKU_FIELDS, cart_store_for
from meiduo_mall.apps.goods.models import SKU, Goods

from .exceptions import EmptySelection, InsufficientStock, OrderError, OrderStateError, UnableToPlaceOrder
from .models import OrderGoods, OrderInfo, OrderStatusChange

# Stock and order states are written on the primary and read back there: a replica may lag.
PRIMARY = "default"
MYSQL_DEADLOCK = 1213
DEADLOCK_ATTEMPTS = 5
ORDER_ID_ATTEMPTS = 20
# An order that lost the stock it had read to another buyer is read and tried again this often.
STOCK_ATTEMPTS = 3
GOODS_SALES_BATCH = 500
# The largest total tb_order_info.total_amount (Decimal(10, 2)) can hold.
MAX_ORDER_AMOUNT = Decimal("99999999.99")
CARRIER_MAX_LENGTH = OrderInfo._meta.get_field("carrier").max_length
TRACKING_NUMBER_MAX_LENGTH = OrderInfo._meta.get_field("tracking_number").max_length

logger = logging.getLogger("meiduo")

# Sent (sender=OrderInfo, user=...) once the cart and the stock have been read, before the order is written:
# the point at which a double click's second request arrives. The concurrency tests run their rival there.
order_lines_read = Signal()
# Sent (sender=OrderInfo, order=..., sku_ids=...) inside the placement's transaction once the order, its lines
# and their stock are written, before the commit: where the fault tests make a placement fail half done.
order_stock_taken = Signal()
# The points where an unpaid order's fate is decided, for the race tests (sender=OrderInfo, order=...):
# order_cancelling once the caller (the buyer's view, the timeout task) has read the order as unpaid, before
# anything is locked; order_cancel_locked and order_paid_locked once cancel or mark_paid has won the order's
# row, inside its transaction, before it commits.
order_cancelling = Signal()
order_cancel_locked = Signal()
order_paid_locked = Signal()


def _record_status_change(order, from_status, to_status, operator=None):
    """The history row of one move, written by the caller inside the transaction of its conditional UPDATE:
    the move and its record commit together or not at all."""
    OrderStatusChange.objects.using(PRIMARY).create(
        order_id=order.pk, from_status=from_status, to_status=to_status, operator=operator
    )


def order_freight():
    return Decimal(settings.ORDER_FREIGHT).quantize(Decimal("0.01"))


def selected_cart_counts(user):
    """{sku_id: count} of the lines the member ticked in their cart; one read of the cart."""
    return {line.sku_id: line.count for line in cart_store_for(user).selected_lines()}


def settlement_lines(user):
    """The selected cart lines of launched SKUs with today's prices, as the settlement page shows them
    (serializers.SettlementLineSerializer), in SKU id order.

    Plain rows from one query, like the cart page's: building SKU models and serializing them was most of
    the settlement's CPU."""
    counts = selected_cart_counts(user)
    rows = SKU.objects.filter(pk__in=counts, is_launched=True).order_by("id").values_list(*CART_LINE_SKU_FIELDS)
    return [
        {"id": sku_id, "name": name, "default_image_url": image_url, "price": f"{price:.2f}", "count": counts[sku_id]}
        for sku_id, name, price, image_url in rows
    ]


def _in_deadlock_retry(work):
    """Run `work` (one transaction) again when MySQL picked it as a deadlock victim.

    Lines are locked in sku id order, so buyers should not deadlock; but InnoDB also takes
    locks we do not order (foreign-key checks, index pages), and a deadlock must never reach
    a shopper. Inside a caller's transaction there is nothing to retry: MySQL has already
    rolled the whole of it back.
    """
    if connections[PRIMARY].in_atomic_block:
        return work()
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            return work()
        except OperationalError as exc:
            if exc.args[0] != MYSQL_DEADLOCK or attempt == DEADLOCK_ATTEMPTS:
                raise
            time.sleep(random.uniform(0.005, 0.02) * attempt)


def _per_sku(amounts):
    """{sku_id: n} as one SQL expression on the row's id, so one statement serves every line."""
    if len(amounts) == 1:
        return Value(next(iter(amounts.values())))
    return Case(*(When(pk=sku_id, then=Value(n)) for sku_id, n in amounts.items()), output_field=IntegerField())


def _add_to_goods(field, amounts):
    """Add {goods_id: n} to one counter of several SPUs in a single UPDATE (rows locked in id order)."""
    amounts = {goods_id: n for goods_id, n in amounts.items() if n}
    if not amounts:
        return
    delta = Case(*(When(pk=goods_id, then=Value(n)) for goods_id, n in amounts.items()), output_field=IntegerField())
    Goods.objects.using(PRIMARY).filter(pk__in=amounts).update(**{field: F(field) + delta})


def _order_ids(user):
    """The course's order id (local time + 9-digit user id), then the same with a two-digit suffix.

    The same member can place two orders within one second (two tabs, a double click): the
    second one gets a suffix instead of an error. The id stays digits only.
    """
    base = timezone.localtime().strftime("%Y%m%d%H%M%S") + f"{user.id:09d}"
    yield base
    for attempt in range(1, ORDER_ID_ATTEMPTS):
        yield f"{base}{attempt:02d}"


class _StockShortfall(Exception):
    """The stock UPDATE served fewer lines than the order has; the transaction is rolled back."""


def place_order(user, address, pay_method, idempotency_key=None):
    """The member's selected cart lines as a new order, stored with `idempotency_key`; returns the OrderInfo.
    Requests come through intents.place_order_once, which holds the member to one placement at a time.

    Stock is taken with one conditional UPDATE for all lines (stock >= n on every row), so two
    buyers can never both take the last unit; when a line cannot be served the whole order is
    rolled back and InsufficientStock names the first such line. The cart lines go only once
    the order is committed.
    """
    if address.user_id != user.id or address.is_deleted:
        raise UnableToPlaceOrder("收货地址无效")
    if pay_method not in OrderInfo.PayMethod.values:
        raise UnableToPlaceOrder("支付方式无效")
    counts = selected_cart_counts(user)
    if not counts:
        raise EmptySelection()
    for _ in range(STOCK_ATTEMPTS):
        skus = _skus_to_sell(counts)
        order = OrderInfo(
            user=user,
            address=address,
            total_count=sum(counts.values()),
            total_amount=_order_total(skus, counts),
            freight=order_freight(),
            pay_method=pay_method,
            status=OrderInfo.Status.UNPAID if pay_method == OrderInfo.PayMethod.ALIPAY else OrderInfo.Status.UNSEND,
            idempotency_key=idempotency_key,
        )
        order_lines_read.send(sender=OrderInfo, user=user)
        try:
            return _save_under_free_id(order, skus, counts)
        except _StockShortfall:
            # Another buyer took the stock between the read and the UPDATE: the next read tells whom to blame.
            continue
    raise InsufficientStock(skus[min(counts)])


def _skus_to_sell(counts):
    """{sku_id: SKU} of the lines, read without a lock before the transaction; refuses what cannot be sold.

    A line whose stock already reads short is refused here, without a transaction: under a rush
    for the last units most buyers are turned away, and they should cost no write and no wait for
    the row lock. Stock that reads sufficient is still only taken by the conditional UPDATE.
    """
    sku_ids = sorted(counts)
    skus = SKU.objects.using(PRIMARY).only("id", "name", "price", "stock", "is_launched").in_bulk(sku_ids)
    for sku_id in sku_ids:
        if sku_id not in skus:
            raise UnableToPlaceOrder("购物车中的商品已不存在")
        if not skus[sku_id].is_launched:
            raise UnableToPlaceOrder(f"{skus[sku_id].name} 已下架")
    for sku_id in sku_ids:
        if skus[sku_id].stock < counts[sku_id]:
            raise InsufficientStock(skus[sku_id])
    return skus


def _order_total(skus, counts):
    total_amount = sum((skus[i].price * counts[i] for i in counts), order_freight())
    if total_amount > MAX_ORDER_AMOUNT:
        raise UnableToPlaceOrder("订单金额超出上限，请分开下单")
    return total_amount


def _save_under_free_id(order, skus, counts):
    """Write the order under the first of its candidate ids that no other order holds."""
    for order_id in _order_ids(order.user):
        order.order_id = order_id
        try:
            _in_deadlock_retry(partial(_write_order, order, skus, counts))
        except IntegrityError:
            if not OrderInfo.objects.using(PRIMARY).filter(order_id=order_id).exists():
                raise
        else:
            return order
    raise UnableToPlaceOrder("下单过于频繁，请稍后再试")


def _write_order(order, skus, counts):
    """Insert the order and its lines, then take the stock, then commit.

    The SKU rows are the hot ones (every buyer of a best seller needs the same row), so they
    are locked last: from the stock UPDATE to the COMMIT and no longer. The order lines carry
    no foreign-key constraint on the SKU, whose check would take a shared lock on that row
    before the UPDATE and deadlock the buyers queueing for it.
    """
    sku_ids = sorted(counts)
    with transaction.atomic(using=PRIMARY):
        order.save(using=PRIMARY, force_insert=True)
        OrderGoods.objects.using(PRIMARY).bulk_create(
            OrderGoods(order=order, sku=skus[i], count=counts[i], price=skus[i].price) for i in sku_ids
        )
        each = _per_sku(counts)
        taken = (
            SKU.objects.using(PRIMARY)
            .filter(pk__in=sku_ids, stock__gte=each)
            .update(stock=F("stock") - each, sales=F("sales") + each)
        )
        if taken != len(sku_ids):
            raise _StockShortfall()
        order_stock_taken.send(sender=OrderInfo, order=order, sku_ids=sku_ids)
        # robust: the order stands even if Redis hiccups while the cart is being emptied.
        transaction.on_commit(partial(cart_store_for(order.user).remove_many, sku_ids), using=PRIMARY, robust=True)


def mark_paid(order):
    """Move an unpaid Alipay order to 待发货 (1 → 2); False if it was no longer unpaid.

    The payment app calls this inside the transaction that records the trade, so the order is
    paid and the trade stored together or not at all. The notice, the buyer's return and the
    cancel of unpaid orders may race for the same order; the conditional UPDATE picks one winner.
    """
    with transaction.atomic(using=PRIMARY):
        moved = (
            OrderInfo.objects.using(PRIMARY)
            .filter(pk=order.pk, status=OrderInfo.Status.UNPAID, pay_method=OrderInfo.PayMethod.ALIPAY)
            .update(status=OrderInfo.Status.UNSEND, update_time=timezone.now())
        )
        if moved:
            _record_status_change(order, OrderInfo.Status.UNPAID, OrderInfo.Status.UNSEND)
            order.status = OrderInfo.Status.UNSEND
            order_paid_locked.send(sender=OrderInfo, order=order)
    return bool(moved)


def cancel(order, operator=None):
    """Cancel an unpaid order and give its stock and sales back; False if it was no longer unpaid.

    The timeout task, the buyer, the back office (`operator`) and the payment notice can race for the
    same order; the conditional status update (1 → 6) picks one winner, and only the winner gives stock back.
    """

    def give_back():
        with transaction.atomic(using=PRIMARY):
            won = (
                OrderInfo.objects.using(PRIMARY)
                .filter(pk=order.pk, status=OrderInfo.Status.UNPAID)
                .update(status=OrderInfo.Status.CANCELED, update_time=timezone.now())
            )
            if not won:
                return False
            _record_status_change(order, OrderInfo.Status.UNPAID, OrderInfo.Status.CANCELED, operator)
            order_cancel_locked.send(sender=OrderInfo, order=order)
            counts = defaultdict(int)
            for sku_id, count in (
                OrderGoods.objects.using(PRIMARY).filter(order_id=order.pk).values_list("sku_id", "count")
            ):
                counts[sku_id] += count
            if counts:
                each = _per_sku(counts)
                SKU.objects.using(PRIMARY).filter(pk__in=counts).update(
                    stock=F("stock") + each, sales=F("sales") - each
                )
            return True

    order_cancelling.send(sender=OrderInfo, order=order)
    cancelled = _in_deadlock_retry(give_back)
    if cancelled:
        order.status = OrderInfo.Status.CANCELED
    return cancelled


def refresh_goods_sales():
    """Set each SPU's sales to the sum of its SKUs' sales; returns how many SPUs changed.

    Orders count sales on the SKU rows only: the SPU row is shared by all its SKUs, and a
    second hot row in every placement would serialise buyers of different SKUs. Beat runs
    this every minute, so the back office's SPU sales trail the orders by at most that. The
    sums come from a plain read that locks no SKU; an order committed meanwhile is counted
    on the next run.
    """
    changed = dict(
        Goods.objects.using(PRIMARY)
        .annotate(sku_sales=Coalesce(Sum("skus__sales"), 0))
        .exclude(sales=F("sku_sales"))
        .values_list("id", "sku_sales")
    )
    goods_ids = sorted(changed)
    for start in range(0, len(goods_ids), GOODS_SALES_BATCH):
        batch = goods_ids[start : start + GOODS_SALES_BATCH]
        sales = Case(*(When(pk=goods_id, then=Value(changed[goods_id])) for goods_id in batch))
        Goods.objects.using(PRIMARY).filter(pk__in=batch).update(sales=sales)
    return len(goods_ids)


def cancel_expired_orders(now=None):
    """Cancel every unpaid order older than UNPAID_ORDER_TIMEOUT_MINUTES; returns how many."""
    deadline = (now or timezone.now()) - timedelta(minutes=settings.UNPAID_ORDER_TIMEOUT_MINUTES)
    expired = OrderInfo.objects.using(PRIMARY).filter(status=OrderInfo.Status.UNPAID, create_time__lt=deadline)
    return sum(cancel(order) for order in list(expired.only("order_id")))


def ship(order, carrier, tracking_number, operator=None):
    """Back office: an order waiting for shipment (2) leaves with `carrier` and `tracking_number` (3).

    Raises OrderError for a blank or too long carrier or number, OrderStateError when the order is not
    waiting for shipment (anymore: two operators may ship it at once, the conditional UPDATE picks one).
    """
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    if not carrier or len(carrier) > CARRIER_MAX_LENGTH:
        raise OrderError("请填写快递公司")
    if not tracking_number or len(tracking_number) > TRACKING_NUMBER_MAX_LENGTH:
        raise OrderError("请填写快递单号")
    now = timezone.now()
    with transaction.atomic(using=PRIMARY):
        moved = (
            OrderInfo.objects.using(PRIMARY)
            .filter(pk=order.pk, status=OrderInfo.Status.UNSEND)
            .update(
                status=OrderInfo.Status.UNRECEIVED,
                carrier=carrier,
                tracking_number=tracking_number,
                shipped_time=now,
                update_time=now,
            )
        )
        if not moved:
            raise OrderStateError("订单当前不能发货")
        _record_status_change(order, OrderInfo.Status.UNSEND, OrderInfo.Status.UNRECEIVED, operator)
    order.status = OrderInfo.Status.UNRECEIVED
    order.carrier, order.tracking_number, order.shipped_time = carrier, tracking_number, now


def confirm_receipt(order):
    """The buyer confirms a shipped order (3) has arrived; it waits for comments (4)."""
    with transaction.atomic(using=PRIMARY):
        moved = (
            OrderInfo.objects.using(PRIMARY)
            .filter(pk=order.pk, status=OrderInfo.Status.UNRECEIVED)
            .update(status=OrderInfo.Status.UNCOMMENT, update_time=timezone.now())
        )
        if not moved:
            raise OrderStateError("订单当前不能确认收货")
        _record_status_change(order, OrderInfo.Status.UNRECEIVED, OrderInfo.Status.UNCOMMENT)
    order.status = OrderInfo.Status.UNCOMMENT


def uncommented_lines(order):
    if order.status != OrderInfo.Status.UNCOMMENT:
        raise OrderStateError("订单当前不能评价")
    return order.skus.filter(is_commented=False).select_related("sku").order_by("id")


def comment_order_line(order, sku_id, comment, score, is_anonymous):
    """Store the buyer's comment on one line of a received order (4); the last one finishes it (5)."""
    with transaction.atomic(using=PRIMARY):
        # The order row lock serialises comments on one order, so exactly one of them sees
        # the last uncommented line go and finishes the order.
        status = (
            OrderInfo.objects.using(PRIMARY).select_for_update().filter(pk=order.pk).values_list("status", flat=True)
        ).first()
        if status != OrderInfo.Status.UNCOMMENT:
            raise OrderStateError("订单当前不能评价")
        line = OrderGoods.objects.using(PRIMARY).select_related("sku").filter(order_id=order.pk, sku_id=sku_id).first()
        if line is None:
            raise OrderStateError("订单中没有该商品")
        if line.is_commented:
            raise OrderStateError("该商品已经评价过了")
        now = timezone.now()
        OrderGoods.objects.using(PRIMARY).filter(pk=line.pk).update(
            comment=comment, score=score, is_anonymous=is_anonymous, is_commented=True, update_time=now
        )
        SKU.objects.using(PRIMARY).filter(pk=sku_id).update(comments=F("comments") + 1)
        _add_to_goods("comments", {line.sku.goods_id: 1})
        if not OrderGoods.objects.using(PRIMARY).filter(order_id=order.pk, is_commented=False).exists():
            OrderInfo.objects.using(PRIMARY).filter(pk=order.pk).update(
                status=OrderInfo.Status.FINISHED, update_time=now
            )
            _record_status_change(order, OrderInfo.Status.UNCOMMENT, OrderInfo.Status.FINISHED)
            order.status = OrderInfo.Status.FINISHED
