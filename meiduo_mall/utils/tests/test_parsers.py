"""Bodies nested too deeply for Python's json module are refused with a 400, never a RecursionError."""

import pytest

from meiduo_mall.utils.parsers import MAX_JSON_DEPTH, nesting_depth

pytestmark = pytest.mark.django_db


def deep_array(levels):
    return "[" * levels + "]" * levels


def deep_object(levels):
    return '{"a": ' * levels + "1" + "}" * levels


@pytest.mark.parametrize("path", ["/authorizations/", "/cart/", "/users/"])
@pytest.mark.parametrize("body", [deep_array(3000), deep_object(3000), deep_array(MAX_JSON_DEPTH + 1)])
def test_a_deeply_nested_body_is_a_400_for_anyone(api_client, path, body):
    response = api_client.generic("POST", path, body, content_type="application/json")

    assert response.status_code == 400
    assert f"嵌套超过 {MAX_JSON_DEPTH} 层" in response.content.decode()


def test_a_body_within_the_bound_reaches_the_view(api_client):
    body = '{"username": [' + deep_array(MAX_JSON_DEPTH - 2) + '], "password": "x"}'

    response = api_client.generic("POST", "/authorizations/", body, content_type="application/json")

    assert response.status_code == 400
    assert "嵌套" not in response.content.decode()


def test_nesting_depth_counts_arrays_and_objects():
    assert nesting_depth(1) == 0
    assert nesting_depth([]) == 1
    assert nesting_depth({"a": [1, {"b": []}]}) == 4


@pytest.mark.parametrize("path", ["/authorizations/", "/cart/", "/users/", "/orders/"])
@pytest.mark.parametrize(
    "body, content_type",
    [
        ("\xff\xfe{}".encode("latin-1"), "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('{"sku_id": ' + "9" * 5000 + "}", "application/json"),
        ('{"sku_id": 1e999, "count": -1e999}', "application/json"),
        ("username=a&password=b", "application/x-www-form-urlencoded"),
        ("{", "application/json"),
    ],
)
def test_odd_bodies_are_a_4xx_with_json(api_client, path, body, content_type):
    response = api_client.generic("POST", path, body, content_type=content_type)

    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json"
