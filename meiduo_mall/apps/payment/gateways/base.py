"""What the shop needs from a payment gateway: Alipay's page pay, proof of what it sends back, and refunds."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class RefundResult:
    """The gateway's signed word on one refund (one out_request_no).

    `status`: "succeeded" (the money went back), "processing" (accepted or in doubt at the gateway: ask again
    with query_refund), "failed" (refused; `message` says why) or "not_found" (the gateway holds no such refund,
    an answer of query_refund only). `refunded_amount` is what the gateway reports refunded by this request.
    """

    SUCCEEDED = "succeeded"
    PROCESSING = "processing"
    FAILED = "failed"
    NOT_FOUND = "not_found"

    status: str
    gateway_reference: str = ""
    refunded_amount: Decimal | None = None
    message: str = ""


class PaymentGateway(ABC):
    """One way of taking Alipay payments; settings.PAYMENT_GATEWAY names the one in use.

    Methods raise payment.exceptions.PaymentUnavailable when the gateway cannot serve (a key file
    missing or unreadable); the views answer that with a 503.
    """

    @abstractmethod
    def page_pay_url(self, *, subject, out_trade_no, total_amount, return_url, notify_url, expires_at):
        """The URL of the cashier page for one trade; the trade closes at `expires_at` (aware datetime)."""

    @abstractmethod
    def verify(self, params, signature):
        """True when `signature` is the gateway's over `params`, a notice or return without its sign."""

    @abstractmethod
    def refund(self, payment, amount, out_request_no, reason):
        """Refund `amount` (Decimal) of `payment`'s trade as the refund `out_request_no`, a RefundResult.

        Sending the same out_request_no again never refunds twice, so a caller in doubt resends or queries.
        Raises payment.exceptions.RefundUnconfirmed when no trustworthy answer came back.
        """

    @abstractmethod
    def query_refund(self, payment, out_request_no):
        """What the gateway knows of the refund `out_request_no` of `payment`'s trade, a RefundResult.

        Raises payment.exceptions.RefundUnconfirmed when no trustworthy answer came back.
        """

    @classmethod
    def check_configuration(cls):
        """Errors (django.core.checks messages) that keep this gateway from serving; `check --deploy` shows them."""
        return []
