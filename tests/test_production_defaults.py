"""Production defaults: what meiduo_mall.settings.prod turns off, bounds and marks Secure, the security headers
of the pages (Django's and nginx.conf's, the same words), and `check --deploy` staying clean."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from Cryptodome.PublicKey import RSA
from django.conf import settings
from django.test import override_settings

from tests.factories import SKUFactory

ROOT = Path(__file__).resolve().parent.parent

# What the production process reads, printed as JSON by a fresh interpreter under the prod settings.
PROBE = """
import json
import django
from django.conf import settings
from django.urls import Resolver404, resolve

django.setup()

def routed(path):
    try:
        resolve(path)
    except Resolver404:
        return False
    return True

print(json.dumps({
    "cors": settings.CORS_ALLOWED_ORIGINS,
    "docs": [routed("/api/schema/"), routed("/api/docs/")],
    "db_options": settings.DATABASES["default"]["OPTIONS"],
    "cart_cookie_secure": settings.CART_COOKIE_SECURE,
}))
"""


@pytest.fixture(scope="module")
def prod_env(tmp_path_factory):
    """The environment .ci/run gives `check --deploy`: throwaway secrets and Alipay keys, service addresses."""
    keys = tmp_path_factory.mktemp("alipay")
    (keys / "app_private_key.pem").write_bytes(RSA.generate(2048).export_key())
    (keys / "alipay_public_key.pem").write_bytes(RSA.generate(2048).publickey().export_key())
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB_", "API_", "CORS_"))}
    inherited.pop("FRONTEND_ORIGIN", None)
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "meiduo_mall.settings.prod",
        "DJANGO_SECRET_KEY": "prod-defaults-test-" + "k3y" * 20,
        "ALIPAY_APPID": "2021000000000000",
        "ALIPAY_SELLER_ID": "2088000000000000",
        "ALIPAY_APP_PRIVATE_KEY_PATH": str(keys / "app_private_key.pem"),
        "ALIPAY_PUBLIC_KEY_PATH": str(keys / "alipay_public_key.pem"),
        "ELASTICSEARCH_URL": "http://127.0.0.1:9200/",
        "FDFS_TRACKER_SERVERS": "127.0.0.1:22122",
        "FDFS_BASE_URL": "http://127.0.0.1:8888/",
    }


def production(env, **overrides):
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env={**env, **overrides}, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_production_hides_the_schema_and_swagger_ui_unless_asked(prod_env):
    assert production(prod_env)["docs"] == [False, False]
    assert production(prod_env, API_DOCS_PUBLIC="true")["docs"] == [True, True]


def test_development_and_tests_keep_the_schema():
    assert settings.API_DOCS_PUBLIC


def test_production_cors_names_only_the_configured_origins(prod_env):
    assert production(prod_env)["cors"] == []
    configured = production(
        prod_env, FRONTEND_ORIGIN="https://www.meiduo.site/", CORS_EXTRA_ORIGINS="https://m.meiduo.site"
    )
    assert configured["cors"] == ["https://www.meiduo.site", "https://m.meiduo.site"]


def test_production_bounds_the_waits_on_the_database(prod_env):
    options = production(prod_env)["db_options"]
    assert (options["connect_timeout"], options["read_timeout"], options["write_timeout"]) == (3, 15, 15)
    tuned = production(prod_env, DB_CONNECT_TIMEOUT="1", DB_READ_TIMEOUT="5", DB_WRITE_TIMEOUT="6")["db_options"]
    assert (tuned["connect_timeout"], tuned["read_timeout"], tuned["write_timeout"]) == (1, 5, 6)
    assert options["isolation_level"] == "read committed"


def test_production_marks_the_guest_cart_cookie_secure_with_https(prod_env):
    assert production(prod_env)["cart_cookie_secure"] is True
    assert production(prod_env, SECURE_SSL_REDIRECT="false")["cart_cookie_secure"] is False


def test_check_deploy_is_clean_under_production_settings(prod_env):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=prod_env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("secure", [False, True])
def test_the_guest_cart_cookie_is_http_only_and_secure_as_configured(api_client, secure):
    sku = SKUFactory(stock=5)
    with override_settings(CART_COOKIE_SECURE=secure):
        response = api_client.post("/cart/", {"sku_id": sku.id, "count": 1}, format="json")

    cookie = response.cookies["cart"]
    assert cookie["httponly"] is True
    assert bool(cookie["secure"]) is secure


@pytest.mark.parametrize(
    "path, policy",
    [("/cart.html", "PAGES_CSP"), ("/login.html", "PAGES_CSP"), ("/admin/login/", "DJANGO_PAGES_CSP")],
)
@pytest.mark.django_db
def test_django_sends_the_security_headers_on_html(client, path, policy):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == getattr(settings, policy)
    assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_json_answers_carry_no_page_policy(client):
    response = client.get("/health/")
    assert "Content-Security-Policy" not in response


def csp(text):
    """{directive: its words} of a Content-Security-Policy."""
    return {name: words for name, *words in (part.split() for part in text.split(";") if part.strip())}


NGINX = (ROOT / "nginx.conf").read_text()


def nginx_pages_policies():
    body = re.search(r"map \$uri \$meiduo_pages_csp \{(.*?)\n\}", NGINX, re.S).group(1)
    return dict(re.findall(r'^\s*(\S+)\s+"([^"]+)";', body, re.M))


@pytest.mark.parametrize("nginx_key, setting", [("default", "PAGES_CSP"), ("~^/goods/", "DETAIL_PAGES_CSP")])
def test_nginx_sends_the_pages_the_policy_django_sends(nginx_key, setting):
    nginx, django = csp(nginx_pages_policies()[nginx_key]), csp(getattr(settings, setting))
    assert nginx.pop("connect-src") == ["'self'", "http://api.meiduo.site", "https://api.meiduo.site"]
    django.pop("connect-src")
    assert {name: sorted(words) for name, words in nginx.items()} == {
        name: sorted(words) for name, words in django.items()
    }


def test_every_page_location_of_nginx_sends_the_security_headers():
    # The locations that answer pages: the .html ones and the single origin's "/".
    pages = re.findall(r"location (?:~ \\\.html\$|= /) \{(.*?)\n    \}", NGINX, re.S)
    assert len(pages) == 3
    for body in pages:
        assert "add_header Content-Security-Policy $meiduo_pages_csp always;" in body
        assert f'add_header Permissions-Policy "{settings.PERMISSIONS_POLICY}" always;' in body
        assert "add_header Referrer-Policy same-origin always;" in body


def test_nginx_accepts_the_site_file(tmp_path):
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    include {ROOT / 'nginx.conf'};\n}}\n"
    )
    result = subprocess.run(["nginx", "-t", "-c", str(main)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
