"""Alipay itself, through python-alipay-sdk: keys from the files the settings name."""

import http.client
import os
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig
from django.conf import settings
from django.core.checks import Error
from django.utils import timezone

from meiduo_mall.apps.payment.exceptions import AlipayKeyMissing, AlipayKeyUnreadable, RefundUnconfirmed
from meiduo_mall.apps.payment.gateways.base import PaymentGateway, RefundResult
from meiduo_mall.apps.payment.gateways.keys import read_key

# Alipay reads and writes times as Beijing wall-clock time.
ALIPAY_TIME_ZONE = ZoneInfo("Asia/Shanghai")
ALIPAY_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
KEY_SETTINGS = (("ALIPAY_APP_PRIVATE_KEY_PATH", True), ("ALIPAY_PUBLIC_KEY_PATH", False))
SUCCESS_CODE = "10000"
# "Service Currently Unavailable" (code 20000) and ACQ.SYSTEM_ERROR say nothing about the refund: Alipay asks
# for the same request again or a query.
SYSTEM_ERROR_CODE = "20000"
SYSTEM_ERROR_SUB_CODES = ("ACQ.SYSTEM_ERROR", "aop.ACQ.SYSTEM_ERROR")
TRADE_NOT_EXIST = "ACQ.TRADE_NOT_EXIST"
REFUND_SUCCESS = "REFUND_SUCCESS"


@lru_cache(maxsize=4)
def _client(appid, private_key_path, public_key_path, debug, openapi_url, timeout, _key_versions):
    client = AliPay(
        appid=appid,
        app_notify_url=None,
        app_private_key_string=read_key(private_key_path, private=True),
        alipay_public_key_string=read_key(public_key_path),
        sign_type="RSA2",
        debug=debug,
        config=AliPayConfig(timeout=timeout),
    )
    # The SDK fixes its server by the debug flag alone; the shop names the one it talks to.
    client._gateway = openapi_url
    return client


def _version(path):
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        # Not cached (read_key raises): it says what is wrong with the file.
        return None


class AlipayGateway(PaymentGateway):
    def client(self):
        """One parsed SDK client per key set; replaced key files (new mtime) give a fresh one.

        Raises PaymentUnavailable (AlipayKeyMissing, AlipayKeyUnreadable) when a key file cannot serve.
        """
        private_key_path = settings.ALIPAY_APP_PRIVATE_KEY_PATH
        public_key_path = settings.ALIPAY_PUBLIC_KEY_PATH
        versions = (_version(private_key_path), _version(public_key_path))
        return _client(
            settings.ALIPAY_APPID,
            private_key_path,
            public_key_path,
            settings.ALIPAY_DEBUG,
            self.openapi_url(),
            settings.ALIPAY_API_TIMEOUT,
            versions,
        )

    def openapi_url(self):
        """Where the server-to-server calls (refunds) go: Alipay serves them at the gateway of its cashier."""
        return settings.ALIPAY_URL

    def page_pay_url(self, *, subject, out_trade_no, total_amount, return_url, notify_url, expires_at):
        order_string = self.client().api_alipay_trade_page_pay(
            subject=subject,
            out_trade_no=out_trade_no,
            total_amount=total_amount,
            return_url=return_url,
            notify_url=notify_url,
            time_expire=timezone.localtime(expires_at, ALIPAY_TIME_ZONE).strftime(ALIPAY_TIME_FORMAT),
        )
        return f"{settings.ALIPAY_URL}?{order_string}"

    def verify(self, params, signature):
        client = self.client()
        try:
            return bool(client.verify(params, signature))
        except (AliPayException, ValueError):
            return False

    def refund(self, payment, amount, out_request_no, reason):
        client = self.client()
        trade = {"out_trade_no": payment.order_id, "trade_no": payment.trade_id or None}
        answer = _signed_answer(
            client.api_alipay_trade_refund,
            refund_amount=_money(amount),
            out_request_no=out_request_no,
            refund_reason=reason,
            **trade,
        )
        code = answer.get("code")
        if code == SUCCESS_CODE:
            if answer.get("fund_change") == "Y":
                return RefundResult(
                    RefundResult.SUCCEEDED, gateway_reference=answer.get("trade_no", ""), refunded_amount=amount
                )
            # No money moved by this call: a repeat of a refund Alipay already made, or one it is still making;
            # only the query of this out_request_no tells which.
            found = self.query_refund(payment, out_request_no)
            if found.status == RefundResult.SUCCEEDED:
                return found
            return RefundResult(RefundResult.PROCESSING, message=answer.get("msg", ""))
        if _is_system_error(answer):
            return RefundResult(RefundResult.PROCESSING, message=_message(answer))
        return RefundResult(RefundResult.FAILED, message=_message(answer))

    def query_refund(self, payment, out_request_no):
        client = self.client()
        answer = _signed_answer(
            client.api_alipay_trade_fastpay_refund_query,
            out_request_no=out_request_no,
            out_trade_no=payment.order_id,
            trade_no=payment.trade_id or None,
        )
        if answer.get("code") == SUCCESS_CODE:
            # Alipay answers a refund it never made with a bare success: no refund_amount, no refund_status.
            status = answer.get("refund_status")
            if not answer.get("refund_amount"):
                return RefundResult(RefundResult.NOT_FOUND, message=answer.get("msg", ""))
            if status not in (None, "", REFUND_SUCCESS):
                return RefundResult(RefundResult.PROCESSING, message=status)
            return RefundResult(
                RefundResult.SUCCEEDED,
                gateway_reference=answer.get("trade_no", ""),
                refunded_amount=_decimal(answer["refund_amount"]),
            )
        if _is_system_error(answer):
            return RefundResult(RefundResult.PROCESSING, message=_message(answer))
        if answer.get("sub_code") == TRADE_NOT_EXIST:
            return RefundResult(RefundResult.NOT_FOUND, message=_message(answer))
        # A query Alipay refused says nothing about the refund itself; failing it here would free its claim.
        raise RefundUnconfirmed(f"refund query refused: {answer.get('sub_code')} {_message(answer)}")

    @classmethod
    def check_configuration(cls):
        """A shop that cannot take Alipay payments fails at start: key files, seller and app id."""
        errors = [error for name, private in KEY_SETTINGS for error in _key_file_errors(name, private)]
        if not settings.ALIPAY_SELLER_ID:
            errors.append(
                Error(
                    "ALIPAY_SELLER_ID is empty: notices of any Alipay seller would be accepted.",
                    hint="Set ALIPAY_SELLER_ID to the shop's Alipay seller id (2088...).",
                    id="meiduo.E003",
                )
            )
        if not settings.ALIPAY_APPID:
            errors.append(
                Error(
                    "ALIPAY_APPID is empty.",
                    hint="Set ALIPAY_APPID to the id of the shop's Alipay application.",
                    id="meiduo.E004",
                )
            )
        return errors


def _key_file_errors(name, private):
    path = getattr(settings, name, "")
    if not path:
        return [Error(f"{name} is empty.", hint="Point it at the key file.", id="meiduo.E001")]
    try:
        read_key(path, private=private)
    except AlipayKeyMissing as exc:
        return [
            Error(
                f"Alipay key file of {name} is missing: {exc}.",
                hint="Put the key file there (outside the repository) or set the variable to its path.",
                id="meiduo.E001",
            )
        ]
    except AlipayKeyUnreadable as exc:
        return [
            Error(
                f"Alipay key file of {name} is unreadable: {exc}.",
                hint="It must be a PEM file the shop's user can read (-----BEGIN ... KEY-----).",
                id="meiduo.E002",
            )
        ]
    return []


def _signed_answer(call, **kwargs):
    """Alipay's answer to one openapi call, once the SDK has checked its RSA2 signature with Alipay's public key.

    Raises RefundUnconfirmed for everything that is not such an answer: no connection, a timeout, an HTTP
    error, text that is not Alipay's JSON, an answer without a signature or with a false one.
    """
    try:
        return call(**kwargs)
    except AliPayValidationError:
        raise RefundUnconfirmed("answer signature does not verify with Alipay's public key") from None
    except AliPayException as exc:
        # The SDK's word for an answer without a sign (or an error_response): nobody vouches for it.
        raise RefundUnconfirmed(f"unsigned answer: {exc}") from None
    except (OSError, http.client.HTTPException) as exc:
        # urllib's URLError, HTTPError and timeouts are OSErrors.
        raise RefundUnconfirmed(f"no answer: {type(exc).__name__}: {exc}") from None
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        # The SDK reads the answer as Alipay's JSON; anything else breaks it in one of these ways.
        raise RefundUnconfirmed(f"unreadable answer: {type(exc).__name__}") from None


def _is_system_error(answer):
    return answer.get("code") == SYSTEM_ERROR_CODE or answer.get("sub_code") in SYSTEM_ERROR_SUB_CODES


def _message(answer):
    return answer.get("sub_msg") or answer.get("msg") or ""


def _money(amount):
    return str(Decimal(amount).quantize(Decimal("0.01")))


def _decimal(text):
    try:
        return Decimal(str(text))
    except InvalidOperation:
        raise RefundUnconfirmed(f"unreadable refund_amount {text!r}") from None
