import pytest
from django.db import OperationalError
from django.test import override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from meiduo_mall.utils.exceptions import exception_handler

DEAD_REDIS = "redis://127.0.0.1:1"


def dead_redis_caches(settings):
    caches = {alias: dict(conf) for alias, conf in settings.CACHES.items()}
    caches["default"]["LOCATION"] = f"{DEAD_REDIS}/0"
    return caches


def test_health_answers_without_database_or_redis(client, settings):
    with override_settings(CACHES=dead_redis_caches(settings)):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_checks_database_and_redis(client):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["redis"] == "ok"


@pytest.mark.django_db
def test_ready_is_503_when_redis_is_down(client, settings):
    with override_settings(CACHES=dead_redis_caches(settings)):
        response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")


@pytest.mark.parametrize("error", [OperationalError("gone away"), RedisConnectionError("refused")])
def test_database_and_redis_errors_become_503(error):
    response = exception_handler(error, {"view": None})
    assert response.status_code == 503
    assert response.data == {"message": "服务暂不可用"}


def test_other_errors_are_left_to_django():
    assert exception_handler(ValueError("bug"), {"view": None}) is None


def test_openapi_schema_and_swagger_ui_need_no_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "jsdelivr" not in html and "unpkg" not in html


def test_cors_allows_credentials_for_whitelisted_origin(client):
    response = client.options(
        "/health/", HTTP_ORIGIN="http://www.meiduo.site:8080", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert response["Access-Control-Allow-Origin"] == "http://www.meiduo.site:8080"
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_cors_refuses_unknown_origin(client):
    response = client.get("/health/", HTTP_ORIGIN="http://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_front_end_pages_and_vendor_vue_are_served(client):
    response = client.get("/js/api.js")
    assert response.status_code == 200
    vue = client.get("/js/vendor/vue.global.prod.js")
    assert vue.status_code == 200


def test_openapi_schema_is_valid_and_complete(tmp_path):
    from django.core.management import call_command

    schema_file = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema_file))
    schema = schema_file.read_text()
    for path in (
        "/users/",
        "/authorizations/",
        "/addresses/",
        "/cart/",
        "/orders/",
        "/skus/search/",
        "/oauth/qq/user/",
    ):
        assert f"  {path}:" in schema
