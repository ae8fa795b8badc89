"""Where a request came from: the client's address, and the shop pages' origin, where links built for the
browser must lead back to.

With pages and API on two origins (www.* and api.*), the API cannot tell from its own host where
the pages live; the browser says so in the `Origin` header of cross-origin calls. Only origins the
CORS whitelist trusts are believed, so a forged header cannot send mail links or payment returns
to someone else's site; anything else falls back to FRONTEND_ORIGIN.
"""

import ipaddress
import json
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse


@lru_cache(maxsize=8)
def _proxy_networks(trusted):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _is_trusted_proxy(address):
    try:
        address = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(address in network for network in _proxy_networks(tuple(settings.TRUSTED_PROXY_IPS)))


def client_ip(request):
    """The client's address (SMS and login limits): REMOTE_ADDR, unless that is a proxy of TRUSTED_PROXY_IPS.

    Behind trusted proxies, the right-most X-Forwarded-For entry that is not one of them: each proxy appends
    the address it was reached from, so entries right of the client's were written by proxies we trust, and
    whatever stands left of it the client may have written itself.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(address):
        return address
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        entry = entry.strip()
        try:
            ipaddress.ip_address(entry)
        except ValueError:
            # No proxy writes that; the nearest address known is the last proxy's.
            break
        address = entry
        if not _is_trusted_proxy(entry):
            break
    return address


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
