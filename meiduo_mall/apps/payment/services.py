"""Alipay page pay: the payment URL, checking what Alipay sends back, recording the payment, and sending
refunds back through the gateway.

The gateway settings.PAYMENT_GATEWAY names signs and verifies (payment.gateways); the order's own
move to paid is orders.services.mark_paid, and every refund's status move is orders.services' too.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from meiduo_mall.apps.orders import services as orders
from meiduo_mall.apps.orders.models import OrderInfo, Refund
from meiduo_mall.apps.orders.services import mark_paid
from meiduo_mall.apps.payment.exceptions import (
    InvalidAlipayMessage,
    OrderNotPayable,
    PaymentNotApplicable,
    RefundUnconfirmed,
)
from meiduo_mall.apps.payment.gateways import get_gateway
from meiduo_mall.apps.payment.gateways.base import RefundResult
from meiduo_mall.apps.payment.models import Payment

logger = logging.getLogger("meiduo.payment")

# Sent (sender=Payment, trade=AlipayTrade) once a notice or return has proven the trade, before anything is
# written: where the race tests cancel the order under the payment.
payment_trade_verified = Signal()

PAID_TRADE_STATUSES = {"TRADE_SUCCESS", "TRADE_FINISHED"}
# Payment decisions read what was just written (a new order, a concurrent payment), never a replica.
PRIMARY = "default"


@dataclass(frozen=True)
class AlipayTrade:
    order: OrderInfo
    trade_no: str


def payment_deadline(order):
    """When the unpaid order is cancelled; Alipay is told to close the trade at the same moment."""
    return order.create_time + timedelta(minutes=settings.UNPAID_ORDER_TIMEOUT_MINUTES)


def alipay_url_for(user, order_id, pages_origin=None):
    """The Alipay page-pay URL for the member's own unpaid Alipay order; the amount comes from the database.

    Alipay sends the buyer back to pay_success.html on `pages_origin`, the pages that asked (utils.origins).
    """
    # From the primary: the member clicks 去支付 right after placing the order, before a replica has it.
    order = (
        OrderInfo.objects.using(PRIMARY)
        .filter(order_id=order_id, user=user, status=OrderInfo.Status.UNPAID, pay_method=OrderInfo.PayMethod.ALIPAY)
        .first()
    )
    if order is None or payment_deadline(order) <= timezone.now():
        raise OrderNotPayable
    return get_gateway().page_pay_url(
        subject=f"美多商城{order.order_id}",
        out_trade_no=order.order_id,
        total_amount=str(order.total_amount),
        return_url=f"{pages_origin or settings.FRONTEND_ORIGIN}/pay_success.html",
        notify_url=settings.ALIPAY_NOTIFY_URL,
        expires_at=payment_deadline(order),
    )


def verified_trade(params, *, notice):
    """Check Alipay's parameters and return the trade they prove, else raise InvalidAlipayMessage.

    `notice` is the server-to-server notification, which carries trade_status; the browser return
    does not, so there a valid signature with our app_id and the order's exact amount is the proof.
    """
    data = dict(params)
    signature = data.pop("sign", "")
    if not signature:
        raise InvalidAlipayMessage("no signature")
    if not get_gateway().verify(data, signature):
        raise InvalidAlipayMessage("bad signature")
    if data.get("app_id") != settings.ALIPAY_APPID:
        raise InvalidAlipayMessage("foreign app_id")
    if settings.ALIPAY_SELLER_ID and data.get("seller_id") != settings.ALIPAY_SELLER_ID:
        raise InvalidAlipayMessage("foreign seller_id")
    if notice and data.get("trade_status") not in PAID_TRADE_STATUSES:
        raise InvalidAlipayMessage("trade not paid")
    trade_no = data.get("trade_no", "")
    if not trade_no or len(trade_no) > Payment._meta.get_field("trade_id").max_length:
        raise InvalidAlipayMessage("bad trade_no")
    order = (
        OrderInfo.objects.using(PRIMARY)
        .filter(order_id=data.get("out_trade_no", ""), pay_method=OrderInfo.PayMethod.ALIPAY)
        .first()
    )
    if order is None:
        raise InvalidAlipayMessage("unknown order")
    try:
        amount_matches = Decimal(data.get("total_amount", "")) == order.total_amount
    except InvalidOperation:
        amount_matches = False
    if not amount_matches:
        raise InvalidAlipayMessage("amount differs from the order total")
    return AlipayTrade(order=order, trade_no=trade_no)


def record_payment(trade):
    """Once per trade_no: store the Payment and, when the order can still take it, have it marked paid.

    orders.services.mark_paid is the gate: the notice and the browser return may arrive together,
    and the cancel of unpaid orders (the buyer's, the timeout's) may race them; exactly one of them
    moves the order. Money the order can no longer take (cancelled first, or paid by another trade)
    is stored all the same, flagged refund_needed, and PaymentNotApplicable raised.
    """
    payment_trade_verified.send(sender=Payment, trade=trade)
    order_id = trade.order.order_id
    try:
        with transaction.atomic(using=PRIMARY):
            paid = mark_paid(trade.order)
            payment = Payment.objects.using(PRIMARY).create(
                order_id=order_id, trade_id=trade.trade_no, amount=trade.order.total_amount, refund_needed=not paid
            )
            if not paid:
                # The money goes back by itself: refund_needed stays set until that refund has succeeded.
                orders.request_refund(trade.order, payment, payment.amount, "订单已无法支付，原路退回")
    except IntegrityError as exc:
        # The trade is stored already: a repeated notice, or its return, or the two at once.
        recorded = Payment.objects.using(PRIMARY).filter(trade_id=trade.trade_no).first()
        if recorded is None or recorded.order_id != order_id:
            raise InvalidAlipayMessage("trade_no already used by another order") from exc
        if not recorded.refund_needed:
            return
    else:
        if paid:
            logger.info("order %s paid by alipay trade %s", order_id, trade.trade_no)
            return
        logger.warning(
            "REFUND NEEDED: alipay trade %s paid %s for order %s in status %s; not applied, refund requested",
            trade.trade_no,
            trade.order.total_amount,
            order_id,
            _status_of(order_id),
        )
    raise PaymentNotApplicable(_status_of(order_id))


def _status_of(order_id):
    return OrderInfo.objects.using(PRIMARY).filter(order_id=order_id).values_list("status", flat=True).get()


def accept_alipay_notice(params):
    """Handle Alipay's notification; True when Alipay may stop sending it (reply `success`)."""
    try:
        record_payment(verified_trade(params, notice=True))
    except InvalidAlipayMessage as exc:
        logger.warning("alipay notice rejected (%s) for out_trade_no %r", exc.reason, params.get("out_trade_no"))
        return False
    except PaymentNotApplicable:
        # Genuine money for an order that cannot take it: refunded above; a `fail` would
        # only make Alipay resend the same notice for a day without changing the outcome.
        pass
    return True


def confirm_alipay_return(params):
    """Handle the browser's return from Alipay; the trade id once the order is paid."""
    try:
        trade = verified_trade(params, notice=False)
    except InvalidAlipayMessage as exc:
        logger.warning("alipay return rejected (%s) for out_trade_no %r", exc.reason, params.get("out_trade_no"))
        raise
    record_payment(trade)
    return trade.trade_no


# Refunds ------------------------------------------------------------------------------------
# A pending refund whose send_refund was lost (the broker down at commit) is sent by the beat after this long.
PENDING_REFUND_RESEND_AFTER = timedelta(minutes=5)


def send_refund(refund_id):
    """Send one open refund through the gateway and report the outcome to orders.services; returns the
    gateway's status, or None when the refund is no longer open.

    The refund is 退款中 before the call, so a crash during it leaves it for query_processing_refunds.
    Raises RefundUnconfirmed when the gateway gave no answer: the task retries, and a resend under the same
    out_request_no never pays twice.
    """
    refund = Refund.objects.using(PRIMARY).select_related("payment").filter(pk=refund_id).first()
    if refund is None or not orders.refund_processing(refund):
        return None
    result = get_gateway().refund(refund.payment, refund.amount, refund.out_request_no, refund.reason)
    _apply(refund, result)
    return result.status


def query_processing_refunds():
    """Beat, every minute: ask the gateway about each refund still 退款中, and send again the pending ones
    whose task was lost; returns how many refunds were settled (succeeded or failed)."""
    settled = 0
    processing = Refund.objects.using(PRIMARY).select_related("payment").filter(status=Refund.Status.PROCESSING)
    for refund in processing.order_by("create_time"):
        try:
            result = get_gateway().query_refund(refund.payment, refund.out_request_no)
        except RefundUnconfirmed as exc:
            logger.warning("refund %s: query unconfirmed (%s)", refund.out_request_no, exc)
            continue
        if result.status == RefundResult.NOT_FOUND:
            # The first send never reached the gateway: the same out_request_no makes this resend safe.
            result = _send_again(refund)
        if result is not None and _apply(refund, result):
            settled += 1
    stale = Refund.objects.using(PRIMARY).filter(
        status=Refund.Status.PENDING, create_time__lt=timezone.now() - PENDING_REFUND_RESEND_AFTER
    )
    for refund_id in stale.values_list("pk", flat=True):
        try:
            status = send_refund(refund_id)
        except RefundUnconfirmed as exc:
            logger.warning("refund %s: resend unconfirmed (%s)", refund_id, exc)
            continue
        settled += status in (RefundResult.SUCCEEDED, RefundResult.FAILED)
    return settled


def _send_again(refund):
    if not orders.refund_processing(refund):
        return None
    try:
        return get_gateway().refund(refund.payment, refund.amount, refund.out_request_no, refund.reason)
    except RefundUnconfirmed as exc:
        logger.warning("refund %s: resend unconfirmed (%s)", refund.out_request_no, exc)
        return None


def _apply(refund, result):
    """Report the gateway's answer to orders.services; True when it settled the refund."""
    if result.status == RefundResult.SUCCEEDED:
        if result.refunded_amount is not None and result.refunded_amount != refund.amount:
            logger.error(
                "refund %s: gateway refunded %s of %s", refund.out_request_no, result.refunded_amount, refund.amount
            )
        return orders.refund_succeeded(refund, result.gateway_reference, timezone.now())
    if result.status == RefundResult.FAILED:
        logger.warning("refund %s refused by the gateway: %s", refund.out_request_no, result.message)
        return orders.refund_failed(refund, result.message or "支付平台拒绝退款")
    # Processing (or a query's not_found before the resend): stays 退款中 for the next query.
    return False
