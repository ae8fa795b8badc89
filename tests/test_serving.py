"""Serving on two origins, the parts checked in-process: the pages origin of a request, the links the
API builds for the browser, absolute image URLs and js/host.js. scripts/deploy_smoke.sh checks the rest
through nginx and uwsgi."""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import RequestFactory

from celery_tasks.html.tasks import regenerate_detail_html
from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.goods.models import SKU, SKUImage
from meiduo_mall.utils.origins import host_js, pages_origin

PAGES = "http://www.meiduo.site"
OTHER_PAGES = "http://shop.meiduo.site:8080"
STRANGER = "http://evil.example"


@pytest.fixture
def two_origins(settings):
    """Pages on www (FRONTEND_ORIGIN) and another whitelisted pages origin; the API elsewhere."""
    settings.FRONTEND_ORIGIN = PAGES
    settings.CORS_ALLOWED_ORIGINS = [PAGES, f"{OTHER_PAGES}/"]
    return settings


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HTTP_ORIGIN": OTHER_PAGES}, OTHER_PAGES),
        ({"HTTP_ORIGIN": PAGES}, PAGES),
        ({"HTTP_ORIGIN": STRANGER}, PAGES),
        ({"HTTP_ORIGIN": "null"}, PAGES),
        # A same-origin GET carries no Origin: the request's own origin, when the whitelist has it.
        ({"HTTP_HOST": "shop.meiduo.site:8080"}, OTHER_PAGES),
        ({"HTTP_HOST": "api.meiduo.site"}, PAGES),
    ],
)
def test_pages_origin_believes_only_whitelisted_origins(two_origins, headers, expected):
    headers.setdefault("HTTP_HOST", "api.meiduo.site")
    request = RequestFactory().get("/orders/1/payment/", **headers)
    assert pages_origin(request) == expected


def place_alipay_order(client, user, address, sku):
    fill_cart(user, {sku.id: 1})
    response = client.post("/orders/", {"address": address.id, "pay_method": 2}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["order_id"]


@pytest.mark.parametrize(("origin", "expected"), [(OTHER_PAGES, OTHER_PAGES), (STRANGER, PAGES)])
def test_alipay_returns_the_buyer_to_the_pages_that_asked(
    two_origins, auth_client, user, address, sku, origin, expected
):
    order_id = place_alipay_order(auth_client, user, address, sku)

    response = auth_client.get(f"/orders/{order_id}/payment/", HTTP_ORIGIN=origin)

    assert response.status_code == 200
    params = dict(parse_qsl(urlsplit(response.json()["alipay_url"]).query))
    assert params["return_url"] == f"{expected}/pay_success.html"


@pytest.mark.parametrize(("origin", "expected"), [(OTHER_PAGES, OTHER_PAGES), (STRANGER, PAGES)])
def test_the_verification_mail_links_to_the_pages_that_asked(
    two_origins, auth_client, mailbox, django_capture_on_commit_callbacks, origin, expected
):
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.put("/email/", {"email": "new@meiduo.site"}, format="json", HTTP_ORIGIN=origin)

    assert response.status_code == 200
    [message] = mailbox.messages
    html = message.get_body(("html",)).get_content()
    link = unescape(re.search(r'href="([^"]+)"', html).group(1))
    assert link.startswith(f"{expected}/success_verify_email.html?token=")


def test_image_urls_are_absolute_in_answers_and_pages(
    settings, tmp_path, api_client, sku, django_capture_on_commit_callbacks
):
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    assert settings.MEDIA_URL == f"{settings.API_ORIGIN}/media/"
    name = default_storage.save("skus/serving-test.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    SKU.objects.filter(id=sku.id).update(default_image_url="")
    with django_capture_on_commit_callbacks(execute=True):
        SKUImage.objects.create(sku=sku, image=name)
    sku.refresh_from_db()
    assert sku.default_image_url == default_storage.url(name)
    assert sku.default_image_url.startswith("http"), sku.default_image_url

    listing = api_client.get(f"/categories/{sku.category_id}/skus/", {"page": 1, "page_size": 5}).json()
    assert [line["default_image_url"] for line in listing["results"]] == [sku.default_image_url]

    regenerate_detail_html(sku.id)
    page = (tmp_path / "goods" / f"{sku.id}.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img[^>]* src="([^"]*)"', page)
    assert sources and all(source.startswith("http") for source in sources), sources


def test_host_js_is_written_from_api_origin(settings, tmp_path):
    settings.FRONTEND_ORIGIN = PAGES
    settings.API_ORIGIN = "http://api.meiduo.site"
    call_command("write_host_js", pages_dir=str(tmp_path))
    written = (tmp_path / "js" / "host.js").read_text(encoding="utf-8")
    assert re.search(r'^var host = "http://api\.meiduo\.site";$', written, re.M), written

    settings.API_ORIGIN = PAGES
    call_command("write_host_js", pages_dir=str(tmp_path))
    assert "var host = window.location.origin;" in (tmp_path / "js" / "host.js").read_text(encoding="utf-8")
    assert host_js() == (tmp_path / "js" / "host.js").read_text(encoding="utf-8")


def test_django_serving_the_pages_serves_a_same_origin_host_js(settings, api_client):
    # The demo and the tests: Django serves pages and API from one origin, whatever API_ORIGIN says.
    settings.API_ORIGIN = "http://api.meiduo.site"
    served = api_client.get("/js/host.js")
    assert served.status_code == 200 and served["Content-Type"].startswith("text/javascript")
    assert "var host = window.location.origin;" in served.content.decode()
