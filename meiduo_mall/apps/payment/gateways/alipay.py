"""Alipay itself, through python-alipay-sdk: keys from the files the settings name."""

import os
from functools import lru_cache
from zoneinfo import ZoneInfo

from alipay import AliPay
from alipay.exceptions import AliPayException
from django.conf import settings
from django.core.checks import Error
from django.utils import timezone

from meiduo_mall.apps.payment.exceptions import AlipayKeyMissing, AlipayKeyUnreadable
from meiduo_mall.apps.payment.gateways.base import PaymentGateway
from meiduo_mall.apps.payment.gateways.keys import read_key

# Alipay reads and writes times as Beijing wall-clock time.
ALIPAY_TIME_ZONE = ZoneInfo("Asia/Shanghai")
ALIPAY_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
KEY_SETTINGS = (("ALIPAY_APP_PRIVATE_KEY_PATH", True), ("ALIPAY_PUBLIC_KEY_PATH", False))


@lru_cache(maxsize=4)
def _client(appid, private_key_path, public_key_path, debug, _key_versions):
    return AliPay(
        appid=appid,
        app_notify_url=None,
        app_private_key_string=read_key(private_key_path, private=True),
        alipay_public_key_string=read_key(public_key_path),
        sign_type="RSA2",
        debug=debug,
    )


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
        return _client(settings.ALIPAY_APPID, private_key_path, public_key_path, settings.ALIPAY_DEBUG, versions)

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
