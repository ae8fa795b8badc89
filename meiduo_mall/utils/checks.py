"""Deployment checks (`manage.py check --deploy`) of the shop's own settings: fail at start, not at the
first customer. Registered by the users app; the Alipay checks live in payment/checks.py.

The search and storage checks look at the configured engine and backend, so dev and tests (Whoosh,
the file system) pass untouched.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

# The default of settings/base.py and the placeholder of .env.example: both are public.
PUBLISHED_SECRET_KEYS = {"dev-only-insecure-key-change-me", "change-me-to-a-long-random-string"}


def problem(check_id, message, hint):
    return Error(message, hint=hint, id=check_id)


def _absolute_url(value):
    return isinstance(value, str) and value.startswith(("http://", "https://")) and len(value) > len("https://")


@register(Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs):
    if settings.DEBUG or settings.SECRET_KEY not in PUBLISHED_SECRET_KEYS:
        return []
    message = "SECRET_KEY is a published default (settings/base.py, .env.example): anyone can sign JWTs and cookies."
    return [problem("meiduo.E010", message, "Set DJANGO_SECRET_KEY to a long random string kept secret.")]


@register(deploy=True)
def check_search_engine(app_configs=None, **kwargs):
    connection = getattr(settings, "HAYSTACK_CONNECTIONS", {}).get("default", {})
    if "elasticsearch" not in connection.get("ENGINE", "").lower():
        return []
    if _absolute_url(connection.get("URL")):
        return []
    message = 'HAYSTACK_CONNECTIONS["default"]["URL"] is missing: the Elasticsearch engine has no server.'
    return [problem("meiduo.E011", message, "Set ELASTICSEARCH_URL, e.g. http://127.0.0.1:9200/.")]


@register(deploy=True)
def check_file_storage(app_configs=None, **kwargs):
    backend = getattr(settings, "STORAGES", {}).get("default", {}).get("BACKEND", "").lower()
    if "fdfs" not in backend and "fastdfs" not in backend:
        return []
    errors = []
    if not getattr(settings, "FDFS_TRACKER_SERVERS", None):
        message = "FDFS_TRACKER_SERVERS is empty: the FastDFS storage has no tracker to upload to."
        errors.append(
            problem("meiduo.E012", message, "Set FDFS_TRACKER_SERVERS to the trackers' host:port, comma separated.")
        )
    if not _absolute_url(getattr(settings, "FDFS_BASE_URL", "")):
        message = "FDFS_BASE_URL is missing or not an absolute http(s) URL: image URLs would not open."
        hint = "Set FDFS_BASE_URL to the URL the storage nodes serve files on, e.g. http://image.meiduo.site/."
        errors.append(problem("meiduo.E013", message, hint))
    return errors
