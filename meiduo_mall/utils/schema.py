"""OpenAPI pieces several apps' views share."""

from rest_framework import serializers


class MessageSerializer(serializers.Serializer):
    """The `{"message": ...}` body of many answers and most errors."""

    message = serializers.CharField()


MESSAGE = MessageSerializer
