"""Alipay's notices and returns as the sandbox gateway signs them, for tests to post."""

from base64 import b64encode
from pathlib import Path

from Cryptodome.Hash import SHA256
from Cryptodome.PublicKey import RSA
from Cryptodome.Signature import pkcs1_15
from django.conf import settings

from meiduo_mall.apps.payment.gateways.sandbox import sign_as_alipay

TRADE_NO = "2026112322001400000000000001"


def trade_params(order, trade_no=TRADE_NO, **overrides):
    return {
        "app_id": settings.ALIPAY_APPID,
        "auth_app_id": settings.ALIPAY_APPID,
        "seller_id": "2088000000000000",
        "out_trade_no": order.order_id,
        "trade_no": trade_no,
        "total_amount": str(order.total_amount),
        "charset": "utf-8",
        "version": "1.0",
        **overrides,
    }


def signed_notice(order, **overrides):
    """What Alipay POSTs to notify_url after the buyer paid, signed with the sandbox gateway's key."""
    params = {"notify_type": "trade_status_sync", "trade_status": "TRADE_SUCCESS", "notify_time": "2026-11-23 22:00:00"}
    return sign_as_alipay({**params, **trade_params(order, **overrides)})


def signed_return(order, **overrides):
    """What Alipay appends to return_url when it sends the buyer back."""
    params = {"method": "alipay.trade.page.pay.return", "timestamp": "2026-11-23 22:00:01"}
    return sign_as_alipay({**params, **trade_params(order, **overrides)})


def sign_with_app_key(params):
    """A signature by the shop's own key, which must not pass for Alipay's."""
    digest = SHA256.new("&".join(f"{k}={v}" for k, v in sorted(params.items())).encode())
    key = RSA.import_key(Path(settings.ALIPAY_APP_PRIVATE_KEY_PATH).read_text())
    return b64encode(pkcs1_15.new(key).sign(digest)).decode()
