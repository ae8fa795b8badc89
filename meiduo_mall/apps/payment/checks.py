"""Deployment checks (`manage.py check --deploy`): a shop that cannot take Alipay payments fails at start.

Only when the built-in sandbox is off (production): dev, demo and tests make sandbox keys on first use.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

from meiduo_mall.apps.payment.exceptions import AlipayKeyMissing, AlipayKeyUnreadable
from meiduo_mall.apps.payment.keys import read_key

KEY_SETTINGS = (("ALIPAY_APP_PRIVATE_KEY_PATH", True), ("ALIPAY_PUBLIC_KEY_PATH", False))


@register(Tags.security, deploy=True)
def check_alipay(app_configs=None, **kwargs):
    if settings.ALIPAY_SANDBOX_ENABLED:
        return []
    errors = []
    for name, private in KEY_SETTINGS:
        path = getattr(settings, name, "")
        if not path:
            errors.append(Error(f"{name} is empty.", hint="Point it at the key file.", id="meiduo.E001"))
            continue
        try:
            read_key(path, private=private)
        except AlipayKeyMissing as exc:
            errors.append(
                Error(
                    f"Alipay key file of {name} is missing: {exc}.",
                    hint="Put the key file there (outside the repository) or set the variable to its path.",
                    id="meiduo.E001",
                )
            )
        except AlipayKeyUnreadable as exc:
            errors.append(
                Error(
                    f"Alipay key file of {name} is unreadable: {exc}.",
                    hint="It must be a PEM file the shop's user can read (-----BEGIN ... KEY-----).",
                    id="meiduo.E002",
                )
            )
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
