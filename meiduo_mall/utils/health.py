from django.db import connection
from django.http import JsonResponse
from django_redis import get_redis_connection
from haystack.query import SearchQuerySet

from meiduo_mall.utils.db_router import replica_status


def health(request):
    """Liveness: the process answers. Touches neither the database nor Redis."""
    return JsonResponse({"status": "ok"})


def ready(request):
    """Readiness: the database, Redis and the search engine answer."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means not ready
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        get_redis_connection("default").ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    try:
        # The query shoppers' searches go through, so a missing IK plugin or index mapping shows too.
        SearchQuerySet().count()
        checks["search"] = "ok"
    except Exception as exc:
        checks["search"] = f"error: {type(exc).__name__}"
    ok = all(value == "ok" for value in checks.values())
    # Reported, never a reason for 503: without the replica, reads use the primary.
    if (replica := replica_status()) is not None:
        checks["replica"] = replica
    return JsonResponse({"status": "ok" if ok else "unavailable", **checks}, status=200 if ok else 503)
