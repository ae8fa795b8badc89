"""Refunds through the real SDK against the built-in sandbox's openapi, over HTTP."""

import socket
from decimal import Decimal

import pytest

from meiduo_mall.apps.payment.exceptions import RefundUnconfirmed
from meiduo_mall.apps.payment.gateways import get_gateway
from meiduo_mall.apps.payment.gateways.sandbox import plan_refund
from meiduo_mall.apps.payment.models import Payment


def unsaved_payment(order_id="20261201120000000000000001", trade_no="2026120122001400000000000001"):
    return Payment(order_id=order_id, trade_id=trade_no, amount=Decimal("110.00"))


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/payment/sandbox/gateway.do"


def test_nothing_listening_leaves_the_refund_unconfirmed(settings):
    settings.SANDBOX_OPENAPI_URL = closed_port_url()
    gateway = get_gateway()

    with pytest.raises(RefundUnconfirmed):
        gateway.refund(unsaved_payment(), Decimal("10.00"), "R1", "取消订单")
    with pytest.raises(RefundUnconfirmed):
        gateway.query_refund(unsaved_payment(), "R1")


def test_an_unknown_plan_is_refused():
    with pytest.raises(ValueError):
        plan_refund("R1", "lost")
