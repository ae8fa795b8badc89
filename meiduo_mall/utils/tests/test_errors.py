"""Every answer on an API path is JSON, errors included; pages and the back office keep Django's HTML."""

import json

import pytest
from django.test import Client, override_settings

from meiduo_mall.utils.tests.crash_urls import SECRET

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_a_json_404(api_client):
    response = api_client.get("/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


def test_order_id_that_is_not_a_number_is_a_json_404(auth_client):
    response = auth_client.get("/orders/abc/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_unknown_object_keeps_drf_404(auth_client):
    response = auth_client.get("/orders/123456789012345678901234567890/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_missing_page_keeps_django_html_404(api_client):
    response = api_client.get("/no-such-page.html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_wrong_method_on_a_django_view_is_a_json_405(api_client):
    response = api_client.get("/payment/notify/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"detail": "方法 “GET” 不被允许。"}


def test_wrong_method_on_an_api_view_is_a_json_405(api_client):
    response = api_client.delete("/areas/")
    assert response.status_code == 405
    assert response.json() == {"detail": "方法 “DELETE” 不被允许。"}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_json_body_over_the_limit_is_a_json_413(api_client):
    body = json.dumps({"username": "x" * 2048, "password": "12345678"})
    response = api_client.post("/authorizations/", body, content_type="application/json")
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
