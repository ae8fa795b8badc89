"""The built-in Alipay sandbox (dev, demo, tests): a local stand-in for Alipay's page pay.

SandboxGateway is AlipayGateway with key pairs of its own, made on first use; the cashier view
here plays Alipay's side. It checks the order string with the app public key, shows the order,
and on 付款 signs a notice and a return with the gateway private key, the way Alipay does: the
notice is POSTed to the order's notify_url from here, and the browser goes on to its return_url.
"""

import json
import logging
import secrets
from base64 import b64decode, b64encode
from binascii import Error as Base64Error
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import requests
from Cryptodome.Hash import SHA256
from Cryptodome.PublicKey import RSA
from Cryptodome.Signature import pkcs1_15
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template import engines
from django.utils import timezone
from django.views.decorators.csrf import csrf_protect

from meiduo_mall.apps.payment.gateways import gateway_class
from meiduo_mall.apps.payment.gateways.alipay import ALIPAY_TIME_FORMAT, ALIPAY_TIME_ZONE, AlipayGateway
from meiduo_mall.apps.payment.gateways.keys import (
    ensure_sandbox_keys,
    read_key,
    sandbox_app_public_key_path,
    sandbox_gateway_private_key_path,
)

logger = logging.getLogger("meiduo.payment")

PAGE_PAY_METHOD = "alipay.trade.page.pay"
SANDBOX_SELLER_ID = "2088000000000000"
NOTIFY_TIMEOUT_SECONDS = 10
PAID_TRADE_MEMORY = 24 * 3600


class SandboxGateway(AlipayGateway):
    """The real SDK code, signing and checking with the sandbox's own key pairs at the settings paths."""

    def client(self):
        ensure_sandbox_keys()
        return super().client()

    def openapi_url(self):
        return settings.SANDBOX_OPENAPI_URL

    @classmethod
    def check_configuration(cls):
        # Its keys are made on first use and its seller is its own: nothing to configure.
        return []


REFUND_PLANS = ("fail", "slow")


def plan_refund(out_request_no_or_order_id, outcome):
    """Tests' and demos' hook: the next refund the sandbox is sent for this out_request_no, or for any refund of
    this order (its out_trade_no), ends as `outcome`, once.

    "fail": the refund is refused with a business error (40004, 卖家余额不足) and nothing is refunded.
    "slow": the call answers a system error (20000) as if Alipay were overloaded, yet the refund is made
    at the sandbox; only a query (or the same request again) shows it succeeded.
    """
    if outcome not in REFUND_PLANS:
        raise ValueError(f"unknown refund plan {outcome!r}; one of {REFUND_PLANS}")
    cache.set(_plan_key(out_request_no_or_order_id), outcome, PAID_TRADE_MEMORY)


def _plan_key(out_request_no_or_order_id):
    return f"alipay_sandbox_refund_plan_{out_request_no_or_order_id}"


class InvalidOrderString(Exception):
    pass


@lru_cache(maxsize=4)
def _load_key(path, _version):
    return RSA.import_key(read_key(path))


def _key(path):
    ensure_sandbox_keys()
    return _load_key(str(path), path.stat().st_mtime_ns)


def _signing_string(params):
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()))


def sign_as_alipay(params):
    """Sign like Alipay signs notices and returns: every parameter but sign and sign_type."""
    digest = SHA256.new(_signing_string(params).encode())
    signature = b64encode(pkcs1_15.new(_key(sandbox_gateway_private_key_path())).sign(digest)).decode()
    return {**params, "sign": signature, "sign_type": "RSA2"}


def _payable_order(params):
    """The order of a page-pay request our app signed (requests sign sign_type too), while it may be paid."""
    data = dict(params)
    signature = data.pop("sign", "")
    try:
        digest = SHA256.new(_signing_string(data).encode())
        pkcs1_15.new(_key(sandbox_app_public_key_path())).verify(digest, b64decode(signature, validate=True))
    except (ValueError, Base64Error) as exc:
        raise InvalidOrderString("签名验证失败") from exc
    if data.get("app_id") != settings.ALIPAY_APPID or data.get("sign_type") != "RSA2":
        raise InvalidOrderString("应用信息不符")
    if data.get("method") != PAGE_PAY_METHOD:
        raise InvalidOrderString("不支持的接口")
    try:
        biz = json.loads(data.get("biz_content", ""))
        order = {field: str(biz[field]) for field in ("subject", "out_trade_no", "total_amount")}
        Decimal(order["total_amount"])
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise InvalidOrderString("订单参数不完整") from exc
    if not data.get("return_url"):
        raise InvalidOrderString("缺少返回地址")
    if "time_expire" in biz and _alipay_time(biz["time_expire"]) <= timezone.now():
        raise InvalidOrderString("交易已超时关闭")
    return {**order, "return_url": data["return_url"], "notify_url": data.get("notify_url", "")}


def _alipay_time(text):
    try:
        return datetime.strptime(str(text), ALIPAY_TIME_FORMAT).replace(tzinfo=ALIPAY_TIME_ZONE)
    except ValueError as exc:
        raise InvalidOrderString("订单参数不完整") from exc


def _pay(order):
    """Settle the order like Alipay: notify the shop server to server, then send the buyer back."""
    now = timezone.localtime(timezone.now(), ALIPAY_TIME_ZONE)
    trade_no = now.strftime("%Y%m%d") + "".join(secrets.choice("0123456789") for _ in range(20))
    trade = {
        "app_id": settings.ALIPAY_APPID,
        "auth_app_id": settings.ALIPAY_APPID,
        "seller_id": settings.ALIPAY_SELLER_ID or SANDBOX_SELLER_ID,
        "out_trade_no": order["out_trade_no"],
        "trade_no": trade_no,
        "total_amount": order["total_amount"],
        "charset": "utf-8",
        "version": "1.0",
    }
    moment = now.strftime(ALIPAY_TIME_FORMAT)
    if order["notify_url"]:
        notice = {
            **trade,
            "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16),
            "notify_time": moment,
            "gmt_create": moment,
            "gmt_payment": moment,
            "trade_status": "TRADE_SUCCESS",
            "subject": order["subject"],
            "receipt_amount": order["total_amount"],
            "buyer_pay_amount": order["total_amount"],
            "invoice_amount": order["total_amount"],
        }
        try:
            reply = requests.post(order["notify_url"], data=sign_as_alipay(notice), timeout=NOTIFY_TIMEOUT_SECONDS)
            logger.info("sandbox notice for %s answered %r", order["out_trade_no"], reply.text[:20])
        except requests.RequestException as exc:
            # Alipay would retry later; the buyer's return below still confirms the payment.
            logger.warning("sandbox notice for %s not delivered: %s", order["out_trade_no"], type(exc).__name__)
    back = sign_as_alipay({**trade, "method": "alipay.trade.page.pay.return", "timestamp": moment})
    return HttpResponseRedirect(f"{order['return_url']}?{urlencode(back)}")


@lru_cache(maxsize=1)
def _cashier_template():
    return engines["django"].from_string(Path(__file__).with_name("sandbox_cashier.html").read_text())


def _cashier_page(request, context, status=200):
    return HttpResponse(_cashier_template().render(context, request), status=status)


# Its form is the one browser form outside the back office: CSRF-checked here, with no session (the
# API's paths run without Django's session middleware).
@csrf_protect
def gateway(request):
    """GET shows the order with 付款 / 取消; POST (the 付款 button, same query string) pays it."""
    # Only while the shop runs on the sandbox: with any other gateway this page does not exist.
    if not issubclass(gateway_class(), SandboxGateway):
        raise Http404
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        order = _payable_order(request.GET.dict())
        # Like Alipay, a trade is paid once: going back and pressing 付款 again is refused.
        paid_key = f"alipay_sandbox_paid_{order['out_trade_no']}"
        if cache.get(paid_key) or (request.method == "POST" and not cache.add(paid_key, True, PAID_TRADE_MEMORY)):
            raise InvalidOrderString("该订单已支付")
    except InvalidOrderString as exc:
        return _cashier_page(request, {"error": str(exc)}, status=400)
    if request.method == "POST":
        return _pay(order)
    context = {"order": order, "cancel_url": f"{settings.FRONTEND_ORIGIN}/user_center_order.html"}
    return _cashier_page(request, context)
