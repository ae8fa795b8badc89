"""The OpenAPI schema documents, for every operation, the errors it can give, in the shapes the exception
handler writes (meiduo_mall/utils/schema.py adds the common ones; the fuzz tests check the answers)."""

import re

import jsonschema
import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from meiduo_mall.utils import exceptions
from meiduo_mall.utils.schema import ERROR_COMPONENTS, SHAPE_COMPONENTS
from tests.fuzz.document import project_schema

DOCUMENT = project_schema()
COMPONENTS = DOCUMENT["components"]["schemas"]
OPERATIONS = [
    (method.upper(), path, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if method in ("get", "post", "put", "patch", "delete")
]
ERROR_REFS = {f"#/components/schemas/{name}" for name in (*ERROR_COMPONENTS, "Message")}
# Routes of DRF views that are not part of the API the pages call.
NOT_DOCUMENTED = {"api/schema/", "api/docs/"}


def refs(schema):
    if "$ref" in schema:
        return {schema["$ref"]}
    return {ref for alternative in schema.get("anyOf", ()) for ref in refs(alternative)}


def error_refs(operation, status):
    content = operation["responses"][status]["content"]
    assert list(content) == ["application/json"], f"{status} is not JSON"
    return refs(content["application/json"]["schema"])


def label(operation_row):
    method, path, _ = operation_row
    return f"{method} {path}"


@pytest.mark.parametrize("row", OPERATIONS, ids=[label(row) for row in OPERATIONS])
def test_every_operation_documents_the_errors_it_can_give(row):
    method, path, operation = row
    responses = operation["responses"]
    parameters = operation.get("parameters", [])
    member_only = {} not in operation.get("security", [{}])

    assert error_refs(operation, "503") == {"#/components/schemas/Message"}
    if "requestBody" in operation:
        assert {"400", "413", "415"} <= set(responses)
        assert "#/components/schemas/Detail" in error_refs(operation, "400"), "malformed JSON is DRF's 400"
    if member_only:
        assert error_refs(operation, "401") == {"#/components/schemas/AuthError"}
    if any(parameter["in"] == "path" or parameter["name"] == "page" for parameter in parameters):
        assert "#/components/schemas/Detail" in error_refs(operation, "404")
    for status, response in responses.items():
        if status >= "400":
            assert error_refs(operation, status) <= ERROR_REFS, f"{status} has a body that is not an error shape"
        elif status != "204":
            assert response.get("content"), f"{status} has no body"


def test_the_errors_named_by_the_contract_are_documented():
    by_label = {label(row): row[2]["responses"] for row in OPERATIONS}

    assert error_refs({"responses": by_label["POST /orders/"]}, "409") == {"#/components/schemas/Message"}
    assert error_refs({"responses": by_label["POST /orders/"]}, "400") >= {"#/components/schemas/MessageList"}
    assert "429" in by_label["POST /authorizations/"]
    assert "403" in by_label["PUT /users/{user_id}/password/"]
    assert "403" in by_label["PUT /payment/status/"]
    assert "409" not in by_label["GET /orders/"]


def drf_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from drf_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None)
            if view is not None and issubclass(view, APIView):
                yield prefix + str(pattern.pattern), view


def test_every_api_route_is_in_the_schema():
    documented = {path.strip("/") for path in DOCUMENT["paths"]}
    for route, view in drf_routes():
        if route in NOT_DOCUMENTED:
            continue
        # Converters and regex groups become {name}: the literal segments must match.
        literals = [part for part in route.strip("^$").split("/") if re.fullmatch(r"[\w-]+", part)]
        matches = [path for path in documented if all(literal in path.split("/") for literal in literals)]
        assert matches, f"{route} ({view.__name__}) is not in the schema"


SAMPLES = [
    ("请求有误", {}),
    ("用户名已存在", {"username": ["用户名已存在"]}),
    ("两次密码不一致", {"non_field_errors": ["两次密码不一致"], "password2": ["两次密码不一致"]}),
]


@pytest.mark.parametrize("shape", [shape for shape in SHAPE_COMPONENTS if shape is not None])
def test_each_error_shape_matches_its_components(shape):
    for message, errors in SAMPLES:
        body = shape(message, errors)
        schemas = [{**COMPONENTS[name], "components": DOCUMENT["components"]} for name in SHAPE_COMPONENTS[shape]]
        assert any(jsonschema.Draft4Validator(schema).is_valid(body) for schema in schemas), (shape, body)


def test_drf_errors_match_detail():
    body = {"detail": str(exceptions.NotFound.default_detail)}
    assert jsonschema.Draft4Validator(COMPONENTS["Detail"]).is_valid(body)


def test_the_served_schema_is_the_one_fuzzed(api_client, db):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["paths"] == DOCUMENT["paths"]
    assert response.json()["components"] == DOCUMENT["components"]
