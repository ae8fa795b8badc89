from abc import ABC, abstractmethod


class SMSSendError(Exception):
    """The provider refused the message or could not be reached. The text never contains the code."""


# The after-sales notices, by kind: the text the member reads, and the order of its values in a provider's
# template (Ronglian's templates take values, not text).
NOTICE_TEXTS = {
    "return_approved": "您的订单{order_id}的退货申请已通过，请寄回商品并填写快递单号。",
    "refund_succeeded": "您的订单{order_id}退款¥{amount}已原路退回，请注意查收。",
}
NOTICE_VALUES = {
    "return_approved": ("order_id",),
    "refund_succeeded": ("order_id", "amount"),
}


def notice_text(kind, params):
    """The Chinese text of an after-sales notice; KeyError for an unknown kind or a missing value."""
    return NOTICE_TEXTS[kind].format(**params)


class BaseSMSBackend(ABC):
    """What every SMS backend offers: a verification code, and an after-sales notice, to one mobile number."""

    def __init__(self, **kwargs):  # noqa: B027 - options every backend accepts: none yet
        pass

    @abstractmethod
    def send_verification_code(self, mobile, code, expires_minutes):
        """Send `code` to `mobile`; raise SMSSendError when the provider refuses or is unreachable."""

    @abstractmethod
    def send_notice(self, mobile, kind, params):
        """Send the after-sales notice `kind` (a key of NOTICE_TEXTS) with `params` to `mobile`; raise
        SMSSendError when the provider refuses or is unreachable."""
