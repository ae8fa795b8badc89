"""The built-in Alipay sandbox (dev, demo, tests): a local stand-in for Alipay's page pay and refunds.

SandboxGateway is AlipayGateway with key pairs of its own, made on first use; the views here play
Alipay's side. The cashier checks the order string with the app public key, shows the order,
and on 付款 signs a notice and a return with the gateway private key, the way Alipay does: the
notice is POSTed to the order's notify_url from here, and the browser goes on to its return_url.
The openapi view answers the SDK's alipay.trade.refund and alipay.trade.fastpay.refund.query calls
in Alipay's signed JSON, from the paid trades and refunds it keeps in the cache.
"""

import json
import logging
import secrets
import time
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
from django.views.decorators.csrf import csrf_exempt, csrf_protect

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
REFUND_METHOD = "alipay.trade.refund"
REFUND_QUERY_METHOD = "alipay.trade.fastpay.refund.query"
SANDBOX_SELLER_ID = "2088000000000000"
SANDBOX_BUYER_LOGON_ID = "sandbox***@example.com"
NOTIFY_TIMEOUT_SECONDS = 10
PAID_TRADE_MEMORY = 24 * 3600
# Refunds of one trade are decided one at a time; a holder that died frees the trade after this.
TRADE_LOCK_SECONDS = 5
CENT = Decimal("0.01")


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


def _signed_by_app(params):
    """The parameters of a request our app signed (requests sign sign_type too), without its sign."""
    data = dict(params)
    signature = data.pop("sign", "")
    try:
        digest = SHA256.new(_signing_string(data).encode())
        pkcs1_15.new(_key(sandbox_app_public_key_path())).verify(digest, b64decode(signature, validate=True))
    except (ValueError, Base64Error) as exc:
        raise InvalidOrderString("签名验证失败") from exc
    if data.get("app_id") != settings.ALIPAY_APPID or data.get("sign_type") != "RSA2":
        raise InvalidOrderString("应用信息不符")
    return data


def _payable_order(params):
    """The order of a page-pay request our app signed, while it may be paid."""
    data = _signed_by_app(params)
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
    remember_paid_trade(order["out_trade_no"], trade_no, order["total_amount"])
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


def remember_paid_trade(out_trade_no, trade_no, total_amount):
    """What the sandbox keeps of a paid trade, so that it can refund it: the cashier calls this on 付款; tests
    whose payments never went through the cashier call it for the trade they made up."""
    trade = {"out_trade_no": str(out_trade_no), "trade_no": str(trade_no), "total_amount": str(total_amount)}
    cache.set(_trade_key(out_trade_no), trade, PAID_TRADE_MEMORY)
    cache.set(_trade_no_key(trade_no), str(out_trade_no), PAID_TRADE_MEMORY)


def refunded_total(out_trade_no):
    """What the sandbox has refunded of the trade so far (Decimal): the money that went back to the buyer."""
    return Decimal(cache.get(_refunded_key(out_trade_no), "0.00"))


def _trade_key(out_trade_no):
    return f"alipay_sandbox_trade_{out_trade_no}"


def _trade_no_key(trade_no):
    return f"alipay_sandbox_trade_no_{trade_no}"


def _refunded_key(out_trade_no):
    return f"alipay_sandbox_refunded_{out_trade_no}"


def _refund_key(out_trade_no, out_request_no):
    return f"alipay_sandbox_refund_{out_trade_no}_{out_request_no}"


class OpenapiRefusal(Exception):
    """An answer of Alipay's that is not a success: its code, sub_code and sub_msg."""

    MESSAGES = {"40002": "Invalid Arguments", "40004": "Business Failed", "20000": "Service Currently Unavailable"}

    def __init__(self, code, sub_code, sub_msg):
        super().__init__(sub_msg)
        self.answer = {"code": code, "msg": self.MESSAGES[code], "sub_code": sub_code, "sub_msg": sub_msg}


def _trade(biz):
    """The paid trade the call names: by trade_no when given (Alipay prefers it), else by out_trade_no."""
    out_trade_no = str(biz.get("out_trade_no") or "")
    if biz.get("trade_no"):
        by_trade_no = cache.get(_trade_no_key(biz["trade_no"]))
        if by_trade_no is None or (out_trade_no and out_trade_no != by_trade_no):
            raise OpenapiRefusal("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在")
        out_trade_no = by_trade_no
    trade = cache.get(_trade_key(out_trade_no)) if out_trade_no else None
    if trade is None:
        raise OpenapiRefusal("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在")
    return trade


def _refund_amount(biz):
    try:
        amount = Decimal(str(biz.get("refund_amount", "")))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise OpenapiRefusal("40002", "isv.invalid-parameter", "参数无效: refund_amount")
    return amount


def _out_request_no(biz, trade):
    # Alipay's default: without one the refund is the trade's single full refund, named by out_trade_no.
    out_request_no = str(biz.get("out_request_no") or trade["out_trade_no"])
    if len(out_request_no) > 64:
        raise OpenapiRefusal("40002", "isv.invalid-parameter", "参数无效: out_request_no")
    return out_request_no


class _TradeLock:
    """One refund decision per trade at a time, across the shop's processes: a lock key in the cache."""

    def __init__(self, out_trade_no):
        self.key = f"alipay_sandbox_refund_lock_{out_trade_no}"
        self.token = secrets.token_hex(8)

    def __enter__(self):
        deadline = time.monotonic() + TRADE_LOCK_SECONDS
        while not cache.add(self.key, self.token, TRADE_LOCK_SECONDS):
            if time.monotonic() > deadline:
                raise OpenapiRefusal("20000", "aop.ACQ.SYSTEM_ERROR", "系统繁忙")
            time.sleep(0.01)

    def __exit__(self, *exc):
        if cache.get(self.key) == self.token:
            cache.delete(self.key)


def _take_plan(out_request_no, out_trade_no):
    """The plan_refund outcome waiting for this refund, used up by this call; None when there is none."""
    for name in (out_request_no, out_trade_no):
        plan = cache.get(_plan_key(name))
        if plan is not None and cache.delete(_plan_key(name)):
            return plan
    return None


def _refund(biz):
    trade = _trade(biz)
    amount = _refund_amount(biz)
    out_request_no = _out_request_no(biz, trade)
    out_trade_no = trade["out_trade_no"]
    moment = timezone.localtime(timezone.now(), ALIPAY_TIME_ZONE).strftime(ALIPAY_TIME_FORMAT)
    with _TradeLock(out_trade_no):
        # One out_request_no is one refund: a repeat moves no money and says so (fund_change N).
        fund_change = "N"
        if cache.get(_refund_key(out_trade_no, out_request_no)) is None:
            plan = _take_plan(out_request_no, out_trade_no)
            if plan == "fail":
                raise OpenapiRefusal("40004", "ACQ.SELLER_BALANCE_NOT_ENOUGH", "卖家余额不足")
            refunded = refunded_total(out_trade_no)
            if refunded + amount > Decimal(trade["total_amount"]):
                raise OpenapiRefusal("40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
            refund = {"refund_amount": str(amount), "gmt_refund_pay": moment}
            cache.set(_refund_key(out_trade_no, out_request_no), refund, PAID_TRADE_MEMORY)
            cache.set(_refunded_key(out_trade_no), str(refunded + amount), PAID_TRADE_MEMORY)
            if plan == "slow":
                raise OpenapiRefusal("20000", "aop.ACQ.SYSTEM_ERROR", "系统繁忙")
            fund_change = "Y"
    return {
        "code": "10000",
        "msg": "Success",
        "trade_no": trade["trade_no"],
        "out_trade_no": out_trade_no,
        "buyer_logon_id": SANDBOX_BUYER_LOGON_ID,
        "fund_change": fund_change,
        "refund_fee": str(refunded_total(out_trade_no)),
        "gmt_refund_pay": moment,
    }


def _refund_query(biz):
    trade = _trade(biz)
    out_request_no = _out_request_no(biz, trade)
    found = {"code": "10000", "msg": "Success", "trade_no": trade["trade_no"], "out_trade_no": trade["out_trade_no"]}
    refund = cache.get(_refund_key(trade["out_trade_no"], out_request_no))
    if refund is None:
        # Alipay's answer for a refund it never made: a success without refund_amount or refund_status.
        return found
    return {
        **found,
        "out_request_no": out_request_no,
        "total_amount": trade["total_amount"],
        "refund_amount": refund["refund_amount"],
        "refund_status": "REFUND_SUCCESS",
        "gmt_refund_pay": refund["gmt_refund_pay"],
    }


OPENAPI_METHODS = {REFUND_METHOD: _refund, REFUND_QUERY_METHOD: _refund_query}


def _openapi_answer(response_type, answer, *, signed=True):
    """Alipay's JSON: the answer under `<method>_response`, signed with the gateway key over its exact text."""
    body = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    text = f'{{"{response_type}":{body}'
    if signed:
        digest = SHA256.new(body.encode())
        signature = b64encode(pkcs1_15.new(_key(sandbox_gateway_private_key_path())).sign(digest)).decode()
        text += f',"sign":"{signature}"'
    return HttpResponse(f"{text}}}", content_type="application/json; charset=utf-8")


# Alipay's openapi takes server-to-server calls: no browser, no cookie, so no CSRF; the app's RSA2 signature
# over every parameter is what proves the caller.
@csrf_exempt
def openapi(request):
    """Alipay's gateway.do for the refund calls: the SDK sends the signed parameters in the query string
    (a form POST works as well); the answer is Alipay's JSON, signed unless the request's own signature failed."""
    if not issubclass(gateway_class(), SandboxGateway):
        raise Http404
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    params = {**request.GET.dict(), **request.POST.dict()}
    try:
        data = _signed_by_app(params)
    except InvalidOrderString as exc:
        refusal = OpenapiRefusal("40002", "isv.invalid-signature", f"验签出错: {exc}")
        return _openapi_answer("error_response", refusal.answer, signed=False)
    method = OPENAPI_METHODS.get(data.get("method"))
    if method is None:
        refusal = OpenapiRefusal("40002", "isv.invalid-method", "不存在的方法名")
        return _openapi_answer("error_response", refusal.answer, signed=False)
    response_type = data["method"].replace(".", "_") + "_response"
    try:
        biz = json.loads(data.get("biz_content") or "{}")
        if not isinstance(biz, dict):
            raise ValueError("biz_content is not an object")
        answer = method(biz)
    except (ValueError, RecursionError):
        answer = OpenapiRefusal("40002", "isv.invalid-parameter", "参数无效: biz_content").answer
    except OpenapiRefusal as refusal:
        answer = refusal.answer
    logger.info("sandbox %s answered %s %s", data["method"], answer["code"], answer.get("sub_code", ""))
    return _openapi_answer(response_type, answer)
