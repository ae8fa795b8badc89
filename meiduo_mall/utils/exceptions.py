import logging

from django.db import DatabaseError
from redis.exceptions import RedisError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("meiduo")


def exception_handler(exc, context):
    """DRF's handler, plus: a database or Redis outage is a 503 the pages can show."""
    response = drf_exception_handler(exc, context)
    if response is None and isinstance(exc, (DatabaseError, RedisError)):
        view = context.get("view")
        logger.error("service unavailable in %s: %r", type(view).__name__, exc)
        response = Response({"message": "服务暂不可用"}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    return response
