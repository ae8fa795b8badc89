"""The shop's one rule for a mobile number (a mainland number, 1[3-9] and nine more digits): the
validator serializers and the login backend use, and the `<mobile:...>` path converter of the URLs."""

import re

from django.urls import register_converter

MOBILE_PATTERN = r"1[3-9]\d{9}"
MOBILE_RE = re.compile(rf"^{MOBILE_PATTERN}$")


def is_mobile(value):
    return bool(MOBILE_RE.match(value))


class MobileConverter:
    regex = MOBILE_PATTERN

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


# Registered on import, once per process: the URL modules that use it import MOBILE from here.
MOBILE = "mobile"
register_converter(MobileConverter, MOBILE)
