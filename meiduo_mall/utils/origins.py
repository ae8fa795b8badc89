"""Where a request came from: the client's address, and the shop pages' origin, where links built for the
browser must lead back to.

With pages and API on two origins (www.* and api.*), the API cannot tell from its own host where
the pages live; the browser says so in the `Origin` header of cross-origin calls. Only origins the
CORS whitelist trusts are believed, so a forged header cannot send mail links or payment returns
to someone else's site; anything else falls back to FRONTEND_ORIGIN.
"""

import json

from django.conf import settings
from django.http import HttpResponse
from rest_framework.throttling import BaseThrottle


def client_ip(request):
    """The client's address, trusting X-Forwarded-For only as far as REST_FRAMEWORK NUM_PROXIES says."""
    return BaseThrottle().get_ident(request)


def trusted_pages_origins():
    return {settings.FRONTEND_ORIGIN, *(origin.rstrip("/") for origin in settings.CORS_ALLOWED_ORIGINS)}


def pages_origin(request):
    # Browsers leave Origin out of same-origin GETs: then the pages are on the request's own origin
    # (the single-origin layout), believed like an Origin header would be.
    origin = request.headers.get("Origin", "").rstrip("/") or f"{request.scheme}://{request.get_host()}"
    if origin in trusted_pages_origins():
        return origin
    return settings.FRONTEND_ORIGIN


def host_js(api_origin=None):
    """js/host.js: the API origin the pages call, API_ORIGIN unless given.

    One origin for pages and API keeps the page's own origin, so the same pages also work when
    reached under another name (127.0.0.1, localhost).
    """
    api_origin = api_origin or settings.API_ORIGIN
    if api_origin == settings.FRONTEND_ORIGIN:
        value = "window.location.origin"
    else:
        value = json.dumps(api_origin)
    return (
        "// Written by `manage.py write_host_js` from the API_ORIGIN setting; change the setting, not this file.\n"
        f"var host = {value};\n"
    )


def serve_host_js(request):
    """js/host.js where Django serves the pages itself (demo, tests): Django is the API on the pages' origin."""
    response = HttpResponse(host_js(api_origin=settings.FRONTEND_ORIGIN), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
