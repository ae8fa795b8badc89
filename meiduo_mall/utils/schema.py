"""The OpenAPI schema: the error shapes as components, and the errors every operation can give.

Views declare their answers with `extend_schema`; `ShopAutoSchema` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS)
adds what follows from the view itself, so no view has to repeat it:

- 400 for an operation that takes a body: its validation errors in the view's `error_shape`, or DRF's
  `{"detail"}` for malformed JSON; 413 (a body over the size limit) in the view's shape (or `{"message"}`);
  415 `{"detail"}`.
- 401 `{"detail", "code"?, "messages"?}` where the view authenticates a member: `IsAuthenticated`, or a view
  that checks a token when one is sent.
- 404 `{"detail"}` for an operation with path parameters (an id the route refuses or no object has) and for
  a paged list (a page beyond the last).
- 503 `{"message"}` everywhere: every operation reads the database or Redis (exceptions.exception_handler).

An error a view raises itself (a ShopError) is declared with `SHOP_ERROR`, which this class documents in the
view's `error_shape`, the one exceptions.exception_handler writes.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from meiduo_mall.utils import exceptions

NON_FIELD_ERRORS = api_settings.NON_FIELD_ERRORS_KEY


class MessageSerializer(serializers.Serializer):
    """The `{"message": ...}` body of many answers and of every 5xx; a refusal may add the fields at fault."""

    message = serializers.CharField()


MESSAGE = MessageSerializer


class ShopErrorMarker:
    """Stands for "a ShopError this view raises" in `extend_schema(responses=...)`."""

    def __repr__(self):
        return "SHOP_ERROR"


SHOP_ERROR = ShopErrorMarker()

MESSAGES = {"type": "array", "items": {"type": "string"}}
# The components of the error shapes in exceptions.py, by name.
ERROR_COMPONENTS = {
    "OneLineError": {
        "type": "object",
        "description": "one message, under both keys the two generations of pages read",
        "properties": {"message": {"type": "string"}, NON_FIELD_ERRORS: MESSAGES},
        "required": ["message", NON_FIELD_ERRORS],
    },
    "FieldErrors": {
        "type": "object",
        "description": "each field at fault with its messages; errors of the whole body under non_field_errors",
        "additionalProperties": MESSAGES,
    },
    "FieldErrorsWithSummary": {
        "type": "object",
        "description": "each field at fault with its messages, and the first message under non_field_errors",
        "additionalProperties": MESSAGES,
        "required": [NON_FIELD_ERRORS],
    },
    "NonFieldErrors": {
        "type": "object",
        "description": "every message under non_field_errors",
        "properties": {NON_FIELD_ERRORS: MESSAGES},
        "required": [NON_FIELD_ERRORS],
    },
    "MessageList": {**MESSAGES, "description": "every message, a bare list"},
    "Detail": {
        "type": "object",
        "description": "Django REST framework's own errors",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "AuthError": {
        "type": "object",
        "description": "no token, or a token that is invalid, expired or revoked (`code` says which)",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "messages": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["detail"],
    },
}
# Each error_shape as the components it can produce (a view without one answers ShopError as `{"message"}`
# and validation errors as DRF does, the fields at fault).
SHAPE_COMPONENTS = {
    exceptions.message_body: ("Message",),
    exceptions.one_line: ("OneLineError",),
    exceptions.fields_with_summary: ("FieldErrorsWithSummary", "OneLineError"),
    exceptions.message_list: ("MessageList",),
    exceptions.non_field_errors: ("NonFieldErrors",),
    exceptions.detail_body: ("Detail",),
    None: ("Message", "FieldErrors"),
}
DESCRIPTIONS = {
    "400": "the request is refused",
    "401": "a member's token is required, or the token sent is invalid, expired or revoked",
    "404": "no such path or object",
    "413": "the body is over the size limit (请求数据过大)",
    "415": "the body is not JSON",
    "503": "the database or Redis is unavailable (服务暂不可用)",
}


def one_of(schemas):
    unique = []
    for schema in schemas:
        for alternative in schema.get("anyOf") or [schema]:
            if alternative not in unique:
                unique.append(alternative)
    return unique[0] if len(unique) == 1 else {"anyOf": unique}


class ShopAutoSchema(AutoSchema):
    def component(self, name):
        if name == "Message":
            return self.resolve_serializer(MessageSerializer, "response").ref
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=f"error:{name}", schema=ERROR_COMPONENTS[name]
        )
        self.registry.register_on_missing(component)
        return component.ref

    def shop_error_schema(self):
        """The body of a ShopError, or of a validation error, in this view's error_shape."""
        shape = getattr(type(self.view), "error_shape", None)
        return one_of([self.component(name) for name in SHAPE_COMPONENTS[shape]])

    def checks_token(self):
        """Whether an invalid token can answer 401: a member-only view, or one that authenticates whoever
        sends a token (the views that skip it override perform_authentication or have no authenticators)."""
        if any(isinstance(permission, IsAuthenticated) for permission in self.view.get_permissions()):
            return True
        authenticates = type(self.view).perform_authentication is APIView.perform_authentication
        return authenticates and bool(self.view.get_authenticators())

    def common_errors(self, operation):
        """{status: [schema, ...]}: what every operation like this one can answer besides its own errors."""
        errors = {"503": [self.component("Message")]}
        if "requestBody" in operation:
            errors["400"] = [self.shop_error_schema(), self.component("Detail")]
            # In the view's shape, or `{"message"}` when Django refuses the body before the view (handler400).
            errors["413"] = [self.shop_error_schema(), self.component("Message")]
            errors["415"] = [self.component("Detail")]
        if self.checks_token():
            errors["401"] = [self.component("AuthError")]
        parameters = operation.get("parameters", ())
        if any(parameter["in"] == "path" or parameter["name"] == "page" for parameter in parameters):
            errors["404"] = [self.component("Detail")]
        return errors

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        if isinstance(serializer, OpenApiResponse) and serializer.response is SHOP_ERROR:
            serializer = OpenApiResponse(self.shop_error_schema(), serializer.description, serializer.examples)
        elif serializer is SHOP_ERROR:
            serializer = self.shop_error_schema()
        return super()._get_response_for_code(serializer, status_code, media_types, direction)

    def get_request_serializer(self):
        # A DELETE has a body only where its view declares one (the cart's K4): nothing to guess.
        if self.method == "DELETE":
            return None
        return super().get_request_serializer()

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE" or self.get_request_serializer() is None:
            return super()._get_request_body(direction)
        # drf-spectacular documents the bodies of PUT, PATCH and POST only.
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for status_code, schemas in self.common_errors(operation).items():
            response = responses.get(status_code)
            if response is None:
                response = responses[status_code] = self._get_response_for_code(one_of(schemas), status_code)
            elif not response.get("content"):
                # A declared error without a body (a description only) gets the bodies it really has.
                response["content"] = self._get_response_for_code(one_of(schemas), status_code)["content"]
            else:
                for media in response["content"].values():
                    media["schema"] = one_of([media["schema"], *schemas])
            if not response.get("description"):
                response["description"] = DESCRIPTIONS.get(status_code, "")
        operation["responses"] = dict(sorted(responses.items()))
        return operation


def page_envelope(name, results):
    """The schema of DRF's page envelope (count, next, previous) around `results`, a serializer with many=True."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": results,
        },
    )
