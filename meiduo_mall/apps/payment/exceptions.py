from rest_framework import status

from meiduo_mall.utils.exceptions import ServiceUnavailable, ShopError


class PaymentError(ShopError):
    """Base of the payment app's own errors."""

    logger = "meiduo.payment"


class OrderNotPayable(PaymentError):
    """Not the member's own unpaid Alipay order, so there is nothing to pay."""

    message = "订单信息有误"


class InvalidAlipayMessage(PaymentError):
    """A notice or return that does not prove a payment: bad signature, wrong app, amount or order.
    `reason` says which, for the log; the shopper only learns that the request is not genuine."""

    status_code = status.HTTP_403_FORBIDDEN
    message = "非法请求"

    def __init__(self, reason):
        super().__init__(reason=reason)


class PaymentNotApplicable(PaymentError):
    """A genuine payment the order can no longer take (cancelled, or paid by another trade): refund it."""

    message = "订单已无法支付，请联系客服退款"

    def __init__(self, order_status):
        super().__init__(reason=f"order status {order_status}")
        self.order_status = order_status


class PaymentUnavailable(PaymentError, ServiceUnavailable):
    """Alipay cannot be used: a key file is missing or unreadable. `check --deploy` reports the same;
    `reason` names the file and why."""

    message = "支付暂不可用"


class AlipayKeyMissing(PaymentUnavailable):
    """No file at a key path of the settings."""


class AlipayKeyUnreadable(PaymentUnavailable):
    """A key file that cannot be read, or holds no RSA key of the kind needed."""


class RefundUnconfirmed(PaymentError, ServiceUnavailable):
    """The gateway gave no answer we can trust to a refund or its query: the network failed or timed out, or the
    answer was unsigned or its signature false. The refund may or may not have happened; ask again later with the
    same out_request_no, which never refunds twice. `reason` says what went wrong, for the log."""

    message = "退款结果暂未确认"
