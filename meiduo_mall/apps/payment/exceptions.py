class PaymentError(Exception):
    """Base of the payment app's own errors."""


class OrderNotPayable(PaymentError):
    """Not the member's own unpaid Alipay order, so there is nothing to pay."""


class InvalidAlipayMessage(PaymentError):
    """A notice or return that does not prove a payment: bad signature, wrong app, amount or order."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class PaymentNotApplicable(PaymentError):
    """A genuine payment the order can no longer take (cancelled, or paid by another trade): refund it."""

    def __init__(self, order_status):
        super().__init__(order_status)
        self.order_status = order_status


class PaymentUnavailable(PaymentError):
    """Alipay cannot be used: a key file is missing or unreadable. `check --deploy` reports the same."""


class AlipayKeyMissing(PaymentUnavailable):
    """No file at a key path of the settings."""


class AlipayKeyUnreadable(PaymentUnavailable):
    """A key file that cannot be read, or holds no RSA key of the kind needed."""
