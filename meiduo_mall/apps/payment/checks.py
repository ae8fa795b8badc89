"""Deployment checks (`manage.py check --deploy`): the configured payment gateway says what it lacks."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from meiduo_mall.apps.payment.gateways import gateway_class


@register(Tags.security, deploy=True)
def check_payment_gateway(app_configs=None, **kwargs):
    try:
        gateway = gateway_class()
    except ImportError as exc:
        return [
            Error(
                f"PAYMENT_GATEWAY {settings.PAYMENT_GATEWAY!r} cannot be imported: {exc}.",
                hint="Name a class of meiduo_mall.apps.payment.gateways by its dotted path.",
                id="meiduo.E005",
            )
        ]
    return gateway.check_configuration()
