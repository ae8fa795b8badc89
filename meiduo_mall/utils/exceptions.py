"""The one error path of the API: every refusal is raised, and only this module writes an error body.

An app's own errors subclass ShopError; views raise them (and DRF's ValidationError, through
`is_valid(raise_exception=True)`), and `exception_handler` answers them in the shape of the view's
`error_shape`, one of the functions below, so each endpoint keeps the body its pages read (docs/api.md,
"Responses and errors"). The Django handlers at the end answer what never reaches a DRF view.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.views import defaults
from redis.exceptions import RedisError
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from meiduo_mall.utils.front_end import names_a_file, not_found_page


class ShopError(Exception):
    """A request the shop refuses: an HTTP status, a Chinese message shown to the shopper as it is, and
    optionally the fields at fault ({field: [message, ...]}). Subclasses set the defaults."""

    status_code = status.HTTP_400_BAD_REQUEST
    message = "请求有误"
    # Where a server-side failure (5xx) is logged, with its `reason`: what went wrong, never shown.
    logger = "meiduo"

    def __init__(self, message=None, *, errors=None, status_code=None, headers=None, reason=None):
        self.message = str(message or self.message)
        self.errors = errors or {}
        self.headers = headers or {}
        self.reason = reason
        if status_code is not None:
            self.status_code = status_code
        super().__init__(self.message)

    def __str__(self):
        return self.reason or self.message


class ServiceUnavailable(ShopError):
    """Something the request needs cannot serve (the database, Redis, a payment, search or QQ backend): a 503
    the pages can show; `reason` says why, for the log."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    message = "服务暂不可用"

    def __init__(self, reason):
        super().__init__(reason=reason)


class NotFoundError(ShopError):
    """What the request names does not exist (a category, an account): 404."""

    status_code = status.HTTP_404_NOT_FOUND


class RequestTooLarge(ShopError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    message = "请求数据过大"


class ServerError(ShopError):
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    message = "服务器内部错误"


# Error shapes: (message, field errors) -> body. Field errors are empty for a ShopError raised without them.


def message_body(message, errors):
    """The default: `{"message": m}`, with the fields at fault when there are any."""
    return {"message": message, **errors}


def one_line(message, errors):
    """Account, address and verification pages: VAR-B reads `message`, VAR-A `non_field_errors`."""
    return {"message": message, api_settings.NON_FIELD_ERRORS_KEY: [message]}


def fields_with_summary(message, errors):
    """Registration and login: the field errors plus `non_field_errors`, the line register.js shows. A refusal
    that names no field reads as on the other account pages."""
    if not errors:
        return one_line(message, errors)
    key = api_settings.NON_FIELD_ERRORS_KEY
    return {**errors, key: errors.get(key) or [message]}


def message_list(message, errors):
    """A bare list of every message (placing an order: the page alerts `data[0]`)."""
    return [str(text) for texts in errors.values() for text in texts] or [message]


def non_field_errors(message, errors):
    """Every message under `non_field_errors` (the cart: its pages show `non_field_errors[0]`)."""
    return {api_settings.NON_FIELD_ERRORS_KEY: message_list(message, errors)}


def detail_body(message, errors):
    """DRF's `{"detail": m}`, for refusals that read like DRF's own 404s (the catalogue)."""
    return {"detail": message}


def first_error(errors):
    """The first message of DRF error details, for pages that show one line."""
    if isinstance(errors, dict):
        errors = list(errors.values())
    for error in errors:
        if isinstance(error, (dict, list)):
            found = first_error(error)
            if found:
                return found
        elif error:
            return str(error)
    return ""


def as_field_errors(detail):
    """ValidationError detail as {field: [message, ...]}; a bare list is the non-field errors."""
    if isinstance(detail, dict):
        return {field: texts if isinstance(texts, (list, dict)) else [texts] for field, texts in detail.items()}
    return {api_settings.NON_FIELD_ERRORS_KEY: detail if isinstance(detail, list) else [detail]}


def shop_error_body(exc, shape=message_body):
    # Server-side failures are never a field's fault: `{"message": m}` whatever the view's shape. Their reason
    # is logged; a crash (ServerError) has none here, Django logs its traceback.
    if exc.status_code >= 500:
        if exc.reason:
            logging.getLogger(exc.logger).error("%s: %s", type(exc).__name__, exc.reason)
        shape = message_body
    return shape(exc.message, exc.errors)


def exception_handler(exc, context):
    """DRF's handler, plus ShopError, ValidationError in the view's shape, an oversize body (413), a 404
    in DRF's Chinese words and an outage of the database or Redis (503)."""
    view = context.get("view")
    # Read off the class: a function set as a class attribute would be bound to the view.
    shape = getattr(type(view), "error_shape", None)
    if isinstance(exc, (DatabaseError, RedisError)):
        exc = ServiceUnavailable(f"service unavailable in {type(view).__name__}: {exc!r}")
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, Http404):
        # get_object_or_404 says "No OrderInfo matches the given query.": English, and names a model.
        exc = NotFound()
    elif isinstance(exc, ValidationError) and shape is not None:
        errors = as_field_errors(exc.detail)
        exc = ShopError(first_error(errors) or ShopError.message, errors=errors)
    if isinstance(exc, ShopError):
        # An error that names its own error_shape (a 409) reads the same on every endpoint.
        shape = getattr(type(exc), "error_shape", None) or shape or message_body
        return Response(shop_error_body(exc, shape), status=exc.status_code, headers=exc.headers)
    return drf_exception_handler(exc, context)


# Django's handlers (meiduo_mall/urls.py) for what no DRF view answers: unknown paths, an oversize form
# body, a crash. The back office and the files of the front end keep Django's pages, except that a missing
# page or file is the shop's own 404 page.


def serves_pages(request):
    """Whether the path is a page's rather than the API's: the API's paths end with a slash (or a captcha
    id), the front end's and the media's are files."""
    path = request.path_info
    return path.startswith(tuple(settings.BROWSER_SESSION_PATHS)) or names_a_file(path)


def json_response(body, status_code, headers=None):
    return JsonResponse(
        body, status=status_code, headers=headers, safe=False, json_dumps_params={"ensure_ascii": False}
    )


def json_error(exc):
    return json_response(shop_error_body(exc), exc.status_code, exc.headers)


def bad_request(request, exception):
    if serves_pages(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return json_error(RequestTooLarge())
    return json_error(ShopError())


def page_not_found(request, exception):
    if serves_pages(request):
        return not_found_page(request, exception)
    return json_response({"detail": str(NotFound.default_detail)}, status.HTTP_404_NOT_FOUND)


def server_error(request):
    if serves_pages(request):
        return defaults.server_error(request)
    return json_error(ServerError())
