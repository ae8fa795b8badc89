"""The order rules: settle, place, pay, cancel, ship, receive, comment and refund.

This module owns every move of OrderInfo.status (the life cycle in docs/architecture.md): views,
the Celery task, the back office and the payment app call these functions; none of them touches
stock or order states by itself.
"""

import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass
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
from meiduo_mall.apps.coupons.exceptions import CouponNotApplicable
from meiduo_mall.apps.coupons.pricing import PricedLine, allocate, coupon_discount
from meiduo_mall.apps.coupons.scopes import scope_of
from meiduo_mall.apps.coupons.services import (
    give_coupon_back,
    member_coupon_for_order,
    usable_member_coupons,
    use_coupon,
)
from meiduo_mall.apps.goods.models import SKU, Goods
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.users.models import Address
from meiduo_mall.utils.tasks import enqueue_after_commit

from .exceptions import (
    EmptySelection,
    InsufficientStock,
    OrderError,
    OrderStateError,
    RefundExceedsPayment,
    RefundStateError,
    UnableToPlaceOrder,
)
from .freight import active_freight_rule, order_freight
from .models import OrderGoods, OrderInfo, OrderStatusChange, Refund

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
MAX_ID = 2**63 - 1
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


def selected_cart_counts(user):
    """{sku_id: count} of the lines the member ticked in their cart; one read of the cart."""
    return {line.sku_id: line.count for line in cart_store_for(user).selected_lines()}


# What a coupon needs to know of a line besides its price: its SPU and the SPU's three categories.
LINE_SCOPE_FIELDS = ("goods_id", "goods__category1_id", "goods__category2_id", "goods__category3_id")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CouponOffer:
    """A coupon the member could use on the settlement's lines, with the order it would make."""

    member_coupon: object
    discount: Decimal
    freight: Decimal
    total_amount: Decimal
    best: bool = False


@dataclass(frozen=True)
class Settlement:
    """What the settlement page shows: the lines, the address they ship to, the freight without a coupon, and
    each coupon that applies, the best (the lowest total) first."""

    lines: list
    address_id: int | None
    goods_amount: Decimal
    freight: Decimal
    free_freight_over: Decimal | None
    offers: list

    @property
    def best_coupon_id(self):
        return self.offers[0].member_coupon.pk if self.offers else None


def settlement_address(user, address_id=None):
    """The member's live address `address_id` (the query string's text), or without one the member's default
    address, or None; UnableToPlaceOrder for any text that is not the id of one of the member's live addresses."""
    if address_id is None:
        # Through the member's row in the same query: the request's member is only the token's id until read.
        return Address.objects.filter(users=user.pk, user=user.pk, is_deleted=False).first()
    address = None
    if address_id.isascii() and address_id.isdigit() and 0 < int(address_id) <= MAX_ID:
        address = Address.objects.filter(pk=int(address_id), user=user, is_deleted=False).first()
    if address is None:
        raise UnableToPlaceOrder("收货地址不存在")
    return address


def settle(user, address=None):
    """The member's selected cart lines priced for `address` (None: no surcharge yet) with the freight rule and
    every usable coupon: one query for the lines, one or two for the rule, one for the coupons (their scopes are
    cached per process: coupons.scopes).

    The lines are plain rows, like the cart page's: building SKU models and serializing them was most of the
    settlement's CPU. Each coupon is priced by price_lines, as placement prices it, so the member is charged what
    this showed."""
    counts = selected_cart_counts(user)
    rows = (
        SKU.objects.filter(pk__in=counts, is_launched=True)
        .order_by("id")
        .values_list(*CART_LINE_SKU_FIELDS, *LINE_SCOPE_FIELDS)
    )
    lines, priced = [], []
    for sku_id, name, price, image_url, goods_id, *category_ids in rows:
        lines.append(
            {
                "id": sku_id,
                "name": name,
                "default_image_url": image_url,
                "price": f"{price:.2f}",
                "count": counts[sku_id],
            }
        )
        priced.append(PricedLine(sku_id, price * counts[sku_id], goods_id, frozenset(category_ids)))
    total_count = sum(line["count"] for line in lines)
    province_id = address.province_id if address is not None else None
    rule = active_freight_rule()
    without_coupon = price_lines(priced, total_count, None, rule, province_id)
    offers = []
    for member_coupon in usable_member_coupons(user) if priced else ():
        try:
            price = price_lines(priced, total_count, member_coupon, rule, province_id)
        except CouponNotApplicable:
            continue
        offers.append(CouponOffer(member_coupon, price.discount, price.freight, price.total_amount))
    return Settlement(
        lines=lines,
        address_id=address.pk if address is not None else None,
        goods_amount=without_coupon.goods_amount,
        freight=without_coupon.freight,
        free_freight_over=rule.free_over if rule is not None else None,
        offers=_best_first(offers),
    )


def _best_first(offers):
    """The best offer (the lowest total; then the larger discount; then the one expiring first), marked, then
    the others by discount."""
    if not offers:
        return []
    best = min(offers, key=lambda o: (o.total_amount, -o.discount, o.member_coupon.valid_until, o.member_coupon.pk))
    others = sorted(
        (o for o in offers if o is not best),
        key=lambda o: (-o.discount, o.member_coupon.valid_until, o.member_coupon.pk),
    )
    return [CouponOffer(best.member_coupon, best.discount, best.freight, best.total_amount, best=True), *others]


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


def place_order(user, address, pay_method, idempotency_key=None, coupon_id=None):
    """The member's selected cart lines as a new order, stored with `idempotency_key`, paid towards with the
    member's coupon `coupon_id` (a MemberCoupon id) when one is given; returns the OrderInfo.
    Requests come through intents.place_order_once, which holds the member to one placement at a time.

    Stock is taken with one conditional UPDATE for all lines (stock >= n on every row), so two
    buyers can never both take the last unit; when a line cannot be served the whole order is
    rolled back and InsufficientStock names the first such line. The coupon is used in the same
    transaction, by a conditional UPDATE too: of two orders placed at once with it, one has it and the
    other is refused (CouponError), never placed without it. The cart lines go only once the order is
    committed.
    """
    if address.user_id != user.id or address.is_deleted:
        raise UnableToPlaceOrder("收货地址无效")
    if pay_method not in OrderInfo.PayMethod.values:
        raise UnableToPlaceOrder("支付方式无效")
    counts = selected_cart_counts(user)
    if not counts:
        raise EmptySelection()
    member_coupon = member_coupon_for_order(user, coupon_id) if coupon_id is not None else None
    rule = None
    for attempt in range(STOCK_ATTEMPTS):
        skus = _skus_to_sell(counts)
        if attempt == 0:
            # After the stock check: a buyer turned away for stock reads no more than before.
            rule = active_freight_rule()
        price = _price_order(skus, counts, member_coupon, rule, address.province_id)
        order = OrderInfo(
            user=user,
            address=address,
            total_count=sum(counts.values()),
            total_amount=price.total_amount,
            freight=price.freight,
            discount=price.discount,
            coupon=member_coupon,
            pay_method=pay_method,
            status=OrderInfo.Status.UNPAID if pay_method == OrderInfo.PayMethod.ALIPAY else OrderInfo.Status.UNSEND,
            idempotency_key=idempotency_key,
        )
        order_lines_read.send(sender=OrderInfo, user=user)
        try:
            return _save_under_free_id(order, skus, counts, price.shares())
        except _StockShortfall:
            # Another buyer took the stock between the read and the UPDATE: the next read tells whom to blame.
            continue
    raise InsufficientStock(skus[min(counts)])


def _skus_to_sell(counts):
    """{sku_id: SKU} of the lines with their SPU's categories, read without a lock before the transaction;
    refuses what cannot be sold.

    A line whose stock already reads short is refused here, without a transaction: under a rush
    for the last units most buyers are turned away, and they should cost no write and no wait for
    the row lock. Stock that reads sufficient is still only taken by the conditional UPDATE.
    """
    sku_ids = sorted(counts)
    skus = (
        SKU.objects.using(PRIMARY)
        .select_related("goods")
        .only("id", "name", "price", "stock", "is_launched", "goods__category1", "goods__category2", "goods__category3")
        .in_bulk(sku_ids)
    )
    for sku_id in sku_ids:
        if sku_id not in skus:
            raise UnableToPlaceOrder("购物车中的商品已不存在")
        if not skus[sku_id].is_launched:
            raise UnableToPlaceOrder(f"{skus[sku_id].name} 已下架")
    for sku_id in sku_ids:
        if skus[sku_id].stock < counts[sku_id]:
            raise InsufficientStock(skus[sku_id])
    return skus


@dataclass(frozen=True)
class OrderPrice:
    """The money of an order: total_amount = goods_amount − discount + freight. `covered` holds the amounts of the
    lines in the coupon's scope, the ones its discount is shared over."""

    goods_amount: Decimal
    discount: Decimal
    freight: Decimal
    total_amount: Decimal
    covered: dict

    def shares(self):
        """{sku_id: its part of the discount}, to the cent; lines out of the coupon's scope have none."""
        return allocate(self.discount, self.covered)


def price_lines(lines, total_count, member_coupon, rule, province_id):
    """The money of `lines` (PricedLine) with `member_coupon` (or None) under the freight `rule`: the one rule that
    settlement shows and placement charges. Raises CouponNotApplicable when the coupon does not fit the lines."""
    goods_amount = sum((line.amount for line in lines), ZERO)
    discount, covered = ZERO, {}
    if member_coupon is not None:
        scope = scope_of(member_coupon.coupon)
        discount = coupon_discount(member_coupon.coupon, scope, lines)
        covered = {line.key: line.amount for line in lines if scope.covers(line)}
    freight = order_freight(rule, province_id, goods_amount - discount, total_count)
    return OrderPrice(goods_amount, discount, freight, goods_amount - discount + freight, covered)


def _price_order(skus, counts, member_coupon, rule, province_id):
    """The order's price at the database's prices (price_lines), refused past what an order can hold."""
    lines = [
        PricedLine(
            sku_id,
            sku.price * counts[sku_id],
            sku.goods_id,
            frozenset((sku.goods.category1_id, sku.goods.category2_id, sku.goods.category3_id)),
        )
        for sku_id, sku in skus.items()
    ]
    price = price_lines(lines, sum(counts.values()), member_coupon, rule, province_id)
    if price.total_amount > MAX_ORDER_AMOUNT:
        raise UnableToPlaceOrder("订单金额超出上限，请分开下单")
    return price


def _save_under_free_id(order, skus, counts, shares):
    """Write the order under the first of its candidate ids that no other order holds."""
    for order_id in _order_ids(order.user):
        order.order_id = order_id
        try:
            _in_deadlock_retry(partial(_write_order, order, skus, counts, shares))
        except IntegrityError:
            if not OrderInfo.objects.using(PRIMARY).filter(order_id=order_id).exists():
                raise
        else:
            return order
    raise UnableToPlaceOrder("下单过于频繁，请稍后再试")


def _write_order(order, skus, counts, shares):
    """Use the coupon, insert the order and its lines, then take the stock, then commit.

    The coupon is used first: its conditional UPDATE locks the member's coupon row before the order's
    foreign key to it takes a shared lock there, so two orders with one coupon queue on that row rather
    than deadlock upgrading the shared lock. The SKU rows are the hot ones (every buyer of a best seller
    needs the same row), so they are locked last: from the stock UPDATE to the COMMIT and no longer. The
    order lines carry no foreign-key constraint on the SKU, whose check would take a shared lock on that
    row before the UPDATE and deadlock the buyers queueing for it.
    """
    sku_ids = sorted(counts)
    with transaction.atomic(using=PRIMARY):
        if order.coupon is not None:
            use_coupon(order.coupon)
        order.save(using=PRIMARY, force_insert=True)
        OrderGoods.objects.using(PRIMARY).bulk_create(
            OrderGoods(order=order, sku=skus[i], count=counts[i], price=skus[i].price, discount=shares.get(i, ZERO))
            for i in sku_ids
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
            if not _move_to_cancelled(order, OrderInfo.Status.UNPAID, operator):
                return False
            order_cancel_locked.send(sender=OrderInfo, order=order)
            _give_back(order)
            return True

    order_cancelling.send(sender=OrderInfo, order=order)
    cancelled = _in_deadlock_retry(give_back)
    if cancelled:
        order.status = OrderInfo.Status.CANCELED
    return cancelled


def cancel_paid_order(order, operator=None):
    """Cancel an order waiting for shipment (2 → 6): stock and sales back and, for an Alipay order, a refund of
    all it paid, in one transaction; returns the Refund (sent after commit), or None for cash on delivery,
    where nothing was paid. Raises OrderStateError when the order no longer waits for shipment (shipped, or
    cancelled by an operator at the same moment: the conditional UPDATE picks one winner)."""

    def give_back():
        with transaction.atomic(using=PRIMARY):
            if not _move_to_cancelled(order, OrderInfo.Status.UNSEND, operator):
                raise OrderStateError("订单当前不能取消")
            _give_back(order)
            if order.pay_method != OrderInfo.PayMethod.ALIPAY:
                return None
            payment = Payment.objects.using(PRIMARY).filter(order_id=order.pk, refund_needed=False).first()
            if payment is None:
                # Paid, but its trade is not stored yet (only inside the payment's own transaction): without it
                # no money could go back, so the order stays as it is.
                raise OrderStateError("订单当前不能取消")
            return request_refund(
                order, payment, payment.amount - payment.refunded_amount, "订单取消退款", operator=operator
            )

    refund = _in_deadlock_retry(give_back)
    order.status = OrderInfo.Status.CANCELED
    return refund


def cancel_order(order, operator=None):
    """The member's (or an operator's) cancel: an unpaid order is cancelled, one waiting for shipment is
    cancelled with its refund; returns the Refund or None. Raises OrderStateError for any other state."""
    if order.status == OrderInfo.Status.UNSEND:
        return cancel_paid_order(order, operator)
    if not cancel(order, operator):
        raise OrderStateError("订单当前不能取消")
    return None


def _move_to_cancelled(order, from_status, operator):
    """The conditional move from_status → 6 and its history row, inside the caller's transaction."""
    won = (
        OrderInfo.objects.using(PRIMARY)
        .filter(pk=order.pk, status=from_status)
        .update(status=OrderInfo.Status.CANCELED, update_time=timezone.now())
    )
    if won:
        _record_status_change(order, from_status, OrderInfo.Status.CANCELED, operator)
    return bool(won)


def _give_back(order):
    """What a cancelled order took: the stock and sales of its lines, and its coupon while still valid (one
    expired meanwhile stays used: the member cannot spend it any more anyway)."""
    _give_stock_back(order)
    if order.coupon_id is not None:
        give_coupon_back(order.coupon_id)


def _give_stock_back(order):
    """The stock and sales of the order's lines back to their SKUs, in one UPDATE."""
    counts = defaultdict(int)
    for sku_id, count in OrderGoods.objects.using(PRIMARY).filter(order_id=order.pk).values_list("sku_id", "count"):
        counts[sku_id] += count
    if counts:
        each = _per_sku(counts)
        SKU.objects.using(PRIMARY).filter(pk__in=counts).update(stock=F("stock") + each, sales=F("sales") - each)


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
    return sum(cancel(order) for order in list(expired.only("order_id", "coupon_id")))


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
    """The buyer confirms a shipped order (3) has arrived; it waits for comments (4). The 7-day return
    window counts from `received_time`."""
    now = timezone.now()
    with transaction.atomic(using=PRIMARY):
        moved = (
            OrderInfo.objects.using(PRIMARY)
            .filter(pk=order.pk, status=OrderInfo.Status.UNRECEIVED)
            .update(status=OrderInfo.Status.UNCOMMENT, received_time=now, update_time=now)
        )
        if not moved:
            raise OrderStateError("订单当前不能确认收货")
        _record_status_change(order, OrderInfo.Status.UNRECEIVED, OrderInfo.Status.UNCOMMENT)
    order.status, order.received_time = OrderInfo.Status.UNCOMMENT, now


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


# Refunds ------------------------------------------------------------------------------------
# Refund.status moves only here: payment.services sends a refund through the gateway and reports the outcome
# with refund_processing / refund_succeeded / refund_failed; docs/architecture.md draws the life cycle.
REFUND_OPEN = (Refund.Status.PENDING, Refund.Status.PROCESSING)
REFUND_REASON_MAX_LENGTH = Refund._meta.get_field("reason").max_length
OUT_REQUEST_NO_ATTEMPTS = 20
CENT = Decimal("0.01")

# Sent (sender=Refund, payment=...) once request_refund has read the payment, before it claims the amount:
# where the race tests run a second refund of the same money.
refund_claiming = Signal()


def _claim(payment_id, amount):
    """Add `amount` to what refunds claimed of the payment, unless that would pass what it took.

    One conditional UPDATE: it locks the payment row until the caller's transaction ends, so two
    operators refunding the same money at once are served one after the other and the second one
    finds the claim already made."""
    claimed = (
        Payment.objects.using(PRIMARY)
        .filter(pk=payment_id, refunded_amount__lte=F("amount") - amount)
        .update(refunded_amount=F("refunded_amount") + amount, update_time=timezone.now())
    )
    if not claimed:
        raise RefundExceedsPayment()


def _give_claim_back(payment_id, amount):
    Payment.objects.using(PRIMARY).filter(pk=payment_id).update(
        refunded_amount=F("refunded_amount") - amount, update_time=timezone.now()
    )


def request_refund(order, payment, amount, reason, *, return_request=None, operator=None):
    """A refund of `amount` of `payment` (a return's lines, a cancelled order, a late payment): the money is
    claimed on the payment and the Refund row written in the caller's transaction, and send_refund queued
    once it commits. Raises RefundExceedsPayment when the payment's refunds would pass what it took, and
    OrderError for an amount that is not a positive sum of cents."""
    amount = Decimal(amount)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise OrderError("退款金额无效")
    with transaction.atomic(using=PRIMARY):
        refund_claiming.send(sender=Refund, payment=payment)
        _claim(payment.pk, amount)
        refund = _insert_refund(
            Refund(
                order_id=order.pk,
                payment_id=payment.pk,
                return_request=return_request,
                amount=amount,
                reason=(reason or "退款")[:REFUND_REASON_MAX_LENGTH],
                operator=operator,
            )
        )
        enqueue_after_commit("send_refund", refund.pk)
    return refund


def _insert_refund(refund):
    """Save the refund under the order's next free out_request_no: the order id, "R" and a counter (readable
    in Alipay's records, at most 27 characters of its 64). A refund of another payment of the same order may
    take a number at the same moment; the unique constraint makes the loser take the next one."""
    taken = Refund.objects.using(PRIMARY).filter(order_id=refund.order_id).count()
    for n in range(taken + 1, taken + 1 + OUT_REQUEST_NO_ATTEMPTS):
        refund.out_request_no = f"{refund.order_id}R{n:02d}"
        try:
            with transaction.atomic(using=PRIMARY):
                refund.save(using=PRIMARY, force_insert=True)
        except IntegrityError:
            if not Refund.objects.using(PRIMARY).filter(out_request_no=refund.out_request_no).exists():
                raise
        else:
            return refund
    raise OrderError("退款过于频繁，请稍后再试")


def refund_processing(refund):
    """The refund is about to go to the gateway (1 → 2, or 2 again for a resend): counted as an attempt and
    left 退款中, so a crash during the call leaves it for the query. False when it is no longer open."""
    moved = (
        Refund.objects.using(PRIMARY)
        .filter(pk=refund.pk, status__in=REFUND_OPEN)
        .update(status=Refund.Status.PROCESSING, attempts=F("attempts") + 1, update_time=timezone.now())
    )
    if moved:
        refund.status = Refund.Status.PROCESSING
    return bool(moved)


def refund_succeeded(refund, gateway_reference, refunded_time=None):
    """The gateway has paid the refund back (1/2 → 3); the member is told by SMS once it commits. A payment
    owed back entirely (refund_needed) is no longer owed once its refunds have paid all it took.
    False when the refund was no longer open (a query and a resend reported it twice)."""
    refunded_time = refunded_time or timezone.now()
    with transaction.atomic(using=PRIMARY):
        moved = (
            Refund.objects.using(PRIMARY)
            .filter(pk=refund.pk, status__in=REFUND_OPEN)
            .update(
                status=Refund.Status.SUCCEEDED,
                gateway_reference=(gateway_reference or "")[:100],
                failure_reason="",
                refunded_time=refunded_time,
                update_time=timezone.now(),
            )
        )
        if not moved:
            return False
        paid_back = (
            Refund.objects.using(PRIMARY)
            .filter(payment_id=refund.payment_id, status=Refund.Status.SUCCEEDED)
            .aggregate(total=Sum("amount"))["total"]
        )
        Payment.objects.using(PRIMARY).filter(pk=refund.payment_id, refund_needed=True, amount__lte=paid_back).update(
            refund_needed=False, update_time=timezone.now()
        )
        order = OrderInfo.objects.using(PRIMARY).select_related("user").get(pk=refund.order_id)
        enqueue_after_commit(
            "send_after_sales_sms",
            order.user.mobile,
            "refund_succeeded",
            {"order_id": order.order_id, "amount": f"{refund.amount:.2f}"},
        )
    refund.status, refund.gateway_reference, refund.refunded_time = (
        Refund.Status.SUCCEEDED,
        gateway_reference,
        refunded_time,
    )
    return True


def refund_failed(refund, reason):
    """The gateway refused the refund (1/2 → 4): its claim on the payment is given back, so an operator may
    send it again (retry_refund). False when it was no longer open."""
    with transaction.atomic(using=PRIMARY):
        moved = (
            Refund.objects.using(PRIMARY)
            .filter(pk=refund.pk, status__in=REFUND_OPEN)
            .update(
                status=Refund.Status.FAILED,
                failure_reason=(reason or "退款失败")[:200],
                update_time=timezone.now(),
            )
        )
        if moved:
            _give_claim_back(refund.payment_id, refund.amount)
    if moved:
        refund.status, refund.failure_reason = Refund.Status.FAILED, reason
    return bool(moved)


def retry_refund(refund, operator=None):
    """An operator sends a failed refund again (4 → 1) under the same out_request_no, so the gateway can never
    pay it twice; the amount is claimed again. Raises RefundStateError when it has not failed (two operators
    at once: one wins) and RefundExceedsPayment when the payment's money went to other refunds meanwhile."""
    with transaction.atomic(using=PRIMARY):
        moved = (
            Refund.objects.using(PRIMARY)
            .filter(pk=refund.pk, status=Refund.Status.FAILED)
            .update(status=Refund.Status.PENDING, failure_reason="", update_time=timezone.now())
        )
        if not moved:
            raise RefundStateError()
        _claim(refund.payment_id, refund.amount)
        enqueue_after_commit("send_refund", refund.pk)
        if operator is not None:
            logger.info("refund %s sent again by operator %s", refund.out_request_no, operator.pk)
    refund.status, refund.failure_reason = Refund.Status.PENDING, ""
    return refund
