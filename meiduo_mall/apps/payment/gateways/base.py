"""What the shop needs from a payment gateway: Alipay's page pay and proof of what it sends back."""

from abc import ABC, abstractmethod


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

    @classmethod
    def check_configuration(cls):
        """Errors (django.core.checks messages) that keep this gateway from serving; `check --deploy` shows them."""
        return []
