"""The shop's 404 page for missing pages, with DEBUG on or off, and JSON 404s on the API's paths; the footer's
pages built like every page."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

NOT_FOUND_TEXT = "抱歉，您访问的页面不存在"


@pytest.fixture
def built_pages(settings, tmp_path):
    settings.FRONT_END_DIR = tmp_path
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path / "generated"
    call_command("build_pages", pages_dir=str(tmp_path), stdout=io.StringIO())
    return tmp_path


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/no-such-page.html", "/goods/987654.html", "/js/nothing.js"])
def test_a_missing_page_is_the_shops_404_page(client, settings, built_pages, debug, path):
    settings.DEBUG = debug
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert body == (built_pages / "404.html").read_text(encoding="utf-8")
    assert NOT_FOUND_TEXT in body and 'id="site-footer"' in body
    # Nothing of Django's debug page: no URL patterns, no server paths.
    assert "urlpatterns" not in body and "URLconf" not in body and str(django_settings.BASE_DIR) not in body


@pytest.mark.parametrize("path", ["/categories/abc/", "/no/such/api/", "/skus/987654/comments/x/"])
def test_api_paths_keep_their_json_404(client, built_pages, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_without_built_pages_a_missing_page_is_still_a_404(client, settings, tmp_path):
    settings.FRONT_END_DIR = tmp_path
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path / "generated"
    assert client.get("/no-such-page.html").status_code == 404


def test_footer_and_registration_link_to_the_footer_pages(built_pages):
    for name in ("about", "help", "agreement", "404"):
        assert (built_pages / f"{name}.html").is_file(), name
    index = (built_pages / "cart.html").read_text(encoding="utf-8")
    footer = re.search(r'<div id="site-footer">(.*?)</div>\s*</div>', index, re.S).group(1)
    assert set(re.findall(r'href="([^"]+)"', footer)) == {"/about.html", "/help.html", "/agreement.html"}
    register = (built_pages / "register.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="/agreement.html"[^>]*>《美多商城用户使用协议》</a>', register)
    assert "用户使用协议" in (built_pages / "agreement.html").read_text(encoding="utf-8")
    assert 'class="active">帮助中心' in (built_pages / "help.html").read_text(encoding="utf-8")


def test_nginx_serves_the_shops_404_page_where_it_serves_pages():
    config = (Path(django_settings.BASE_DIR) / "nginx.conf").read_text(encoding="utf-8")
    servers = [block for block in re.split(r"\n(?=server \{)", config) if block.startswith("server {")]
    for server in servers:
        serves_pages = "root /srv/meiduo/front_end_pc;" in server
        assert ("error_page 404 /404.html;" in server) == serves_pages
    # The API's 404s reach the browser as Django wrote them (JSON): nginx intercepts none.
    assert "intercept_errors on" not in config
