import logging

import pytest

from meiduo_mall.apps.payment.gateways.sandbox import refunded_total, remember_paid_trade
from tests.fakes.wsgi_server import DjangoLoopbackServer


@pytest.fixture
def payment_log(caplog):
    """Records of the `meiduo` loggers (they do not propagate to the root logger pytest watches)."""
    shop_logger = logging.getLogger("meiduo")
    shop_logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="meiduo")
    yield caplog
    shop_logger.removeHandler(caplog.handler)


class SandboxOpenapi:
    """The sandbox's openapi as the SDK reaches it in a test, and what the sandbox knows of trades."""

    def __init__(self, url):
        self.url = url

    @staticmethod
    def knows_paid(payment):
        """Tell the sandbox that `payment`'s trade was paid there (its cashier does this on 付款)."""
        remember_paid_trade(payment.order_id, payment.trade_id, payment.amount)

    @staticmethod
    def refunded_total(out_trade_no):
        return refunded_total(out_trade_no)


@pytest.fixture(scope="session")
def _sandbox_openapi_server():
    server = DjangoLoopbackServer().start()
    yield server
    server.stop()


@pytest.fixture
def sandbox_openapi(_sandbox_openapi_server, settings):
    """The shop served on a loopback port with SANDBOX_OPENAPI_URL pointing at it, so that refunds sent from the
    test process (eager Celery tasks included) reach the sandbox over HTTP through the real SDK. The endpoint
    keeps its state in Redis only: plain (non-transactional) database tests can use it."""
    settings.SANDBOX_OPENAPI_URL = f"{_sandbox_openapi_server.origin}/payment/sandbox/gateway.do"
    return SandboxOpenapi(settings.SANDBOX_OPENAPI_URL)
