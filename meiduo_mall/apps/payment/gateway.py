"""The Alipay SDK client, configured from settings (keys from files, sandbox keys made on first use)."""

import os
from functools import lru_cache
from zoneinfo import ZoneInfo

from alipay import AliPay
from django.conf import settings

from meiduo_mall.apps.payment.keys import ensure_sandbox_keys, read_key

# Alipay reads and writes times as Beijing wall-clock time.
ALIPAY_TIME_ZONE = ZoneInfo("Asia/Shanghai")
ALIPAY_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


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


def alipay_client():
    """One parsed client per key set; replaced key files (new mtime) give a fresh one.

    Raises PaymentUnavailable (AlipayKeyMissing, AlipayKeyUnreadable) when a key file cannot serve.
    """
    if settings.ALIPAY_SANDBOX_ENABLED:
        ensure_sandbox_keys()
    private_key_path = settings.ALIPAY_APP_PRIVATE_KEY_PATH
    public_key_path = settings.ALIPAY_PUBLIC_KEY_PATH
    versions = (_version(private_key_path), _version(public_key_path))
    return _client(settings.ALIPAY_APPID, private_key_path, public_key_path, settings.ALIPAY_DEBUG, versions)
