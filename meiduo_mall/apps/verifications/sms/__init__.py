"""SMS backends, picked by settings.SMS_BACKEND the way Django picks its mail backend."""

from django.conf import settings
from django.utils.module_loading import import_string


def get_sms_backend(backend=None, **kwargs):
    """An instance of the SMS backend named by `backend` or settings.SMS_BACKEND."""
    backend_class = import_string(backend or settings.SMS_BACKEND)
    return backend_class(**kwargs)
