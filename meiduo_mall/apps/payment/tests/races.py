"""The parties racing for an unpaid Alipay order and the one outcome each race must end in.

Alipay's notice (POST /payment/notify/) and the buyer's return (PUT /payment/status/) race the buyer's cancel
(PUT /orders/<order_id>/cancel/) and the timeout (orders.services.cancel_expired_orders, what the Celery task
runs). Whoever wins the order's row decides: the order is paid, and the cancel is refused; or it is cancelled
with its stock given back, and the money Alipay took is stored as a Payment flagged refund_needed (and its
refund requested). A member's cancel that reads the order once it is paid cancels it with a full refund.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from meiduo_mall.apps.orders import services as orders
from meiduo_mall.apps.orders.exceptions import OrderStateError
from meiduo_mall.apps.orders.models import OrderInfo, Refund
from meiduo_mall.apps.payment.gateways.tests.alipay_messages import TRADE_NO, signed_notice, signed_return
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.payment.services import payment_trade_verified
from meiduo_mall.apps.users.tests.fixtures import jwt_client

PAID, CANCELLED, REFUNDED = "paid", "cancelled", "paid, then cancelled with its refund"
CANNOT_CANCEL = (400, {"message": "订单当前不能取消"})
CANNOT_PAY = (400, {"message": "订单已无法支付，请联系客服退款"})


def trade_no_for(order):
    """Alipay's trade number for the order: one per buyer, so orders raced together never share one."""
    return f"{TRADE_NO[:16]}{order.user_id:012d}"


def notice(order):
    params = signed_notice(order, trade_no=trade_no_for(order))
    response = APIClient().post("/payment/notify/", urlencode(params), content_type="application/x-www-form-urlencoded")
    return response.status_code, response.content.decode()


def buyer_return(order):
    response = APIClient().put(f"/payment/status/?{urlencode(signed_return(order, trade_no=trade_no_for(order)))}", {})
    return response.status_code, response.json()


def member_cancel(order):
    response = jwt_client(order.user).put(f"/orders/{order.order_id}/cancel/")
    return response.status_code, response.json()


def timeout(order):
    return orders.cancel_expired_orders()


def expected_answer(party, order, outcome):
    """What `party` answers when the race ends in `outcome`."""
    return {
        (notice, PAID): (200, "success"),
        # Genuine money for a cancelled order: Alipay is told it was handled, the refund is ours to make.
        (notice, CANCELLED): (200, "success"),
        (buyer_return, PAID): (200, {"trade_id": trade_no_for(order)}),
        (buyer_return, CANCELLED): CANNOT_PAY,
        (member_cancel, PAID): CANNOT_CANCEL,
        (member_cancel, CANCELLED): (
            200,
            {"order_id": order.order_id, "status": OrderInfo.Status.CANCELED, "refund": None},
        ),
        (member_cancel, REFUNDED): (
            200,
            {
                "order_id": order.order_id,
                "status": OrderInfo.Status.CANCELED,
                "refund": {
                    "amount": f"{order.total_amount:.2f}",
                    "status": Refund.Status.PENDING,
                    "status_name": "待退款",
                },
            },
        ),
        (timeout, PAID): 0,
        (timeout, CANCELLED): 1,
    }[party, outcome]


@dataclass(frozen=True)
class Race:
    """`first` runs; at `point` inside it, `rival` runs; the race must end in `outcome`."""

    first: object
    point: object
    rival: object
    outcome: str

    def __str__(self):
        return f"{self.rival.__name__} at {self.point_name} of {self.first.__name__}"

    @property
    def point_name(self):
        return next(name for name, signal in POINTS.items() if signal is self.point)


POINTS = {
    "payment_trade_verified": payment_trade_verified,
    "order_paid_locked": orders.order_paid_locked,
    "order_cancelling": orders.order_cancelling,
    "order_cancel_locked": orders.order_cancel_locked,
}

# Every point each side passes, against each rival of the other side: both orders of events.
RACES = [
    race
    for cancel in (member_cancel, timeout)
    for pay in (notice, buyer_return)
    for race in (
        Race(pay, payment_trade_verified, cancel, CANCELLED),
        Race(pay, orders.order_paid_locked, cancel, PAID),
        Race(cancel, orders.order_cancelling, pay, PAID),
        Race(cancel, orders.order_cancel_locked, pay, CANCELLED),
    )
]


def assert_one_outcome(order, sku, outcome, stock_placed):
    """The order ended `outcome`, and every yuan and unit is where that outcome puts it."""
    order.refresh_from_db()
    sku.refresh_from_db()
    payments = list(Payment.objects.filter(order_id=order.order_id).values_list("trade_id", "refund_needed"))
    refunds = list(Refund.objects.filter(order_id=order.order_id).values_list("payment__trade_id", "amount"))
    if outcome == PAID:
        assert order.status == OrderInfo.Status.UNSEND
        assert payments == [(trade_no_for(order), False)]
        assert sku.stock == stock_placed
        assert refunds == []
    elif outcome == REFUNDED:
        assert order.status == OrderInfo.Status.CANCELED
        assert payments == [(trade_no_for(order), False)]
        assert refunds == [(trade_no_for(order), order.total_amount)]
        assert sku.stock == stock_placed + order.total_count
    else:
        assert order.status == OrderInfo.Status.CANCELED
        assert payments == [(trade_no_for(order), True)]
        assert refunds == [(trade_no_for(order), order.total_amount)]
        assert sku.stock == stock_placed + order.total_count
        # A cancelled order is never shipped, whatever Alipay said.
        with pytest.raises(OrderStateError):
            orders.ship(order, "顺丰速运", "SF1234567890")
