from rest_framework import status
from rest_framework.response import Response


def refused(message, status_code=status.HTTP_400_BAD_REQUEST):
    """A 4xx the pages of every generation can read: VAR-B reads `message`, VAR-A `non_field_errors`."""
    return Response({"message": message, "non_field_errors": [message]}, status=status_code)


def first_error(errors):
    """The first message of a serializer's errors, for pages that show one line."""
    for messages in errors.values():
        if isinstance(messages, dict):
            return first_error(messages)
        if messages:
            return str(messages[0])
    return "数据有误"
