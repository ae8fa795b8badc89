"""Alipay page pay: the payment URL, checking what Alipay sends back, and recording the payment.

The gateway settings.PAYMENT_GATEWAY names signs and verifies (payment.gateways); the order's own
move to paid is orders.services.mark_paid.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.services import mark_paid
from meiduo_mall.apps.payment.exceptions import InvalidAlipayMessage, OrderNotPayable, PaymentNotApplicable
from meiduo_mall.apps.payment.gateways import get_gateway
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
            Payment.objects.using(PRIMARY).create(
                order_id=order_id, trade_id=trade.trade_no, amount=trade.order.total_amount, refund_needed=not paid
            )
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
            "REFUND NEEDED: alipay trade %s paid %s for order %s in status %s; not applied",
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
        # Genuine money for an order that cannot take it: logged for a refund above; a `fail` would
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
