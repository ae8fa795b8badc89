"""Serializer fields the shop's inputs share."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class StrictBooleanField(serializers.BooleanField):
    """JSON's true or false and nothing else. DRF's BooleanField also takes 0, 1, "yes", "on", "True" and more,
    which the schema (`type: boolean`) does not promise and no page sends."""

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)


@extend_schema_field({"oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["true", "false"]}]})
class BooleanOrWordField(StrictBooleanField):
    """true or false, also as the strings "true" and "false": the register page sends `allow.toString()`."""

    WORDS = {"true": True, "false": False}

    def to_internal_value(self, data):
        if isinstance(data, str) and data in self.WORDS:
            return self.WORDS[data]
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", "example": "2026-12-01 09:30"})
class MinuteField(serializers.DateTimeField):
    """A local time to the minute, "%Y-%m-%d %H:%M", as the order list shows it: not an ISO date-time."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d %H:%M", **kwargs)


class StrictCharField(serializers.CharField):
    """Text as a JSON string only. DRF's CharField also takes numbers (0 becomes "0"), which the schema
    (`type: string`) does not promise."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
