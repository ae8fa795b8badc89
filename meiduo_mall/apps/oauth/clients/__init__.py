"""QQ login clients, picked by settings.QQ_LOGIN_CLIENT the way Django picks its mail backend."""

from django.conf import settings
from django.utils.module_loading import import_string


def get_qq_client():
    """An instance of the client class settings.QQ_LOGIN_CLIENT names."""
    return import_string(settings.QQ_LOGIN_CLIENT)()
