"""Every answer on an API path is JSON, errors included; pages and the back office keep Django's HTML."""

import json

import pytest
from django.test import Client, override_settings

from meiduo_mall.utils.tests.crash_urls import SECRET

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/no-such-endpoint/",
        "/orders/abc/",  # no route takes it
        "/orders/123456789012345678901234567890/",  # the route's view finds no such order
    ],
)
def test_unknown_api_path_or_object_is_a_json_404_in_chinese(auth_client, path):
    response = auth_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


def test_missing_page_keeps_django_html_404(api_client):
    response = api_client.get("/no-such-page.html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", "/payment/notify/", "POST"),  # a plain Django view (require_POST)
        ("delete", "/areas/", "GET, HEAD, OPTIONS"),  # a DRF view
    ],
)
def test_wrong_method_is_a_json_405(api_client, method, path, allowed):
    response = getattr(api_client, method)(path)
    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert response.json() == {"detail": f"方法 “{method.upper()}” 不被允许。"}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_json_body_over_the_limit_is_a_json_413(api_client):
    body = json.dumps({"mobile": "13800000000", "password": "x" * 2048})
    response = api_client.post("/oauth/qq/user/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"message": "请求数据过大"}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_form_body_over_the_limit_is_a_json_413(api_client):
    response = api_client.post("/payment/notify/", {"out_trade_no": "1" * 2048})
    assert response.status_code == 413
    assert response.json() == {"message": "请求数据过大"}


@pytest.fixture
def crashing_client():
    with override_settings(ROOT_URLCONF="meiduo_mall.utils.tests.crash_urls"):
        yield Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/crash/", "/crash-api/"])
def test_crash_on_an_api_path_is_a_json_500_without_traceback(crashing_client, path):
    response = crashing_client.get(path)
    assert response.status_code == 500
    assert response.json() == {"message": "服务器内部错误"}
    assert SECRET not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_crash_on_a_page_keeps_django_html_500(crashing_client):
    response = crashing_client.get("/crash/page.html")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert SECRET not in response.content.decode()


# Each endpoint keeps the error body its pages read (docs/api.md, "Responses and errors").


def test_account_pages_read_message_or_non_field_errors(api_client):
    response = api_client.get("/sms_codes/13800000000/", {"text": "ab", "image_code_id": "not-a-uuid"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "non_field_errors"}
    assert body["non_field_errors"] == [body["message"]]


def test_address_validation_is_one_line(auth_client):
    response = auth_client.post("/addresses/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "non_field_errors"}


def test_login_validation_is_field_errors_with_a_summary(api_client):
    response = api_client.post("/authorizations/", {"username": "somebody"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"password", "non_field_errors"}
    assert body["non_field_errors"] == body["password"]


def test_qq_binding_validation_is_a_message_and_the_fields(api_client):
    response = api_client.post("/oauth/qq/user/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert len(body) > 2
    assert body["message"] in [texts[0] for field, texts in body.items() if field != "message"]


def test_cart_validation_is_non_field_errors(api_client):
    response = api_client.post("/cart/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"non_field_errors"}


def test_placing_an_order_answers_a_bare_list(auth_client):
    response = auth_client.post("/orders/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body, list)
    assert all(isinstance(text, str) for text in body)
