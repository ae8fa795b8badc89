"""Payment gateways, picked by settings.PAYMENT_GATEWAY the way Django picks its mail backend."""

from django.conf import settings
from django.utils.module_loading import import_string


def gateway_class():
    return import_string(settings.PAYMENT_GATEWAY)


def get_gateway():
    """An instance of the gateway class settings.PAYMENT_GATEWAY names."""
    return gateway_class()()
