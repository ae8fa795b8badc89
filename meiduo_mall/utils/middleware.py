"""Django's browser-session middleware, run only where a browser session is used; and the API's JSON 405.

Sessions, CSRF, Django's request.user and messages serve the back office (settings.BROWSER_SESSION_PATHS).
Every other path is the JSON API, which authenticates with JWTs in DRF and never logs in through a cookie, so
without a session there is no cookie login for a forged request to ride on (DRF's views are csrf_exempt
already). Skipping them there takes their work off every API request.
"""

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponseNotAllowed
from django.middleware.csrf import CsrfViewMiddleware
from rest_framework import status
from rest_framework.exceptions import MethodNotAllowed

from meiduo_mall.utils.exceptions import json_response, serves_pages


def uses_browser_session(request):
    return request.path_info.startswith(tuple(settings.BROWSER_SESSION_PATHS))


class BrowserSessionOnly:
    """Runs the middleware it is mixed into on browser-session paths only."""

    def __call__(self, request):
        if uses_browser_session(request):
            return super().__call__(request)
        return self.get_response(request)


class BrowserSessionMiddleware(BrowserSessionOnly, SessionMiddleware):
    pass


class BrowserCsrfViewMiddleware(BrowserSessionOnly, CsrfViewMiddleware):
    def process_view(self, request, callback, callback_args, callback_kwargs):
        if uses_browser_session(request):
            return super().process_view(request, callback, callback_args, callback_kwargs)
        return None


class BrowserAuthenticationMiddleware(BrowserSessionOnly, AuthenticationMiddleware):
    pass


class BrowserMessageMiddleware(BrowserSessionOnly, MessageMiddleware):
    pass


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on the HTML Django answers: the shop's pages where it
    serves them (demo, tests; nginx.conf sends the same in production), else its own pages. Referrer-Policy
    is SecurityMiddleware's (SECURE_REFERRER_POLICY)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        path = request.path_info
        if path.startswith("/goods/") and path.endswith(".html"):
            policy = settings.DETAIL_PAGES_CSP
        elif path.endswith(".html"):
            policy = settings.PAGES_CSP
        else:
            policy = settings.DJANGO_PAGES_CSP
        response.setdefault("Content-Security-Policy", policy)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class JSONMethodNotAllowedMiddleware:
    """The empty 405 of a plain Django view on an API path (require_POST on the Alipay notice) in the
    words of DRF's own 405, so every answer of the API is JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not serves_pages(request):
            return json_response(
                {"detail": str(MethodNotAllowed(request.method).detail)},
                status.HTTP_405_METHOD_NOT_ALLOWED,
                {"Allow": response["Allow"]},
            )
        return response
