"""Chromium: a picture added to an SKU in the back office goes to FastDFS (local stand-in servers speaking
its protocol) and the SKU's detail page shows it, loaded from FDFS_BASE_URL."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from meiduo_mall.apps.goods.models import SKUImage
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_image_added_in_the_back_office_is_shown_on_the_detail_page(page, sku, fake_fastdfs, settings, tmp_path):
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path
    picture = tmp_path / "正面.jpg"
    Image.new("RGB", (120, 90), (20, 120, 200)).save(picture, format="JPEG")
    admin = UserFactory(is_staff=True, is_superuser=True)

    page.goto("/admin/login/")
    page.fill('input[name="username"]', admin.username)
    page.fill('input[name="password"]', DEFAULT_PASSWORD)
    page.click('button[type="submit"]')
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.goto(f"/admin/goods/sku/{sku.id}/change/")
    page.locator("#images-group .add-row").click()
    page.set_input_files('input[name="images-0-image"]', str(picture))
    page.click('button[name="_save"]')
    expect(page).to_have_url(re.compile(r"/admin/goods/sku/$"))

    image = SKUImage.objects.get(sku=sku)
    assert fake_fastdfs.files[image.image.name].content == picture.read_bytes()
    page.goto(f"/goods/{sku.id}.html")
    gallery_image = page.locator(f'img[src="{settings.FDFS_BASE_URL}{image.image.name}"]')
    expect(gallery_image).to_have_count(1)
    page.wait_for_function("img => img.complete && img.naturalWidth === 120", arg=gallery_image.element_handle())
    assert ("http", "/" + image.image.name) in fake_fastdfs.requests
