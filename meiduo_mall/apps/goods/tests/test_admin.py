"""The back office pages of the catalog render, and an SKU edit there regenerates its page."""

import pytest

from meiduo_mall.apps.goods.models import SKUImage
from meiduo_mall.apps.goods.tests.admin_forms import sku_change_form

pytestmark = pytest.mark.django_db


def test_catalog_admin_pages_render(staff_client, sku):
    SKUImage.objects.create(sku=sku, image="skus/a.jpg")
    for url in (
        "/admin/goods/sku/",
        f"/admin/goods/sku/{sku.id}/change/",
        "/admin/goods/sku/?is_launched__exact=1&q=测试",
        "/admin/goods/sku/export/",
        "/admin/goods/sku/import/",
        "/admin/goods/goods/",
        f"/admin/goods/goods/{sku.goods_id}/change/",
        "/admin/goods/goodscategory/",
        "/admin/goods/goodschannel/",
    ):
        assert staff_client.get(url).status_code == 200, url


def test_saving_an_sku_in_the_admin_regenerates_its_page(
    staff_client, sku, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path
    form = sku_change_form(sku, name="后台改名")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/admin/goods/sku/{sku.id}/change/", form)
    assert response.status_code == 302
    html = (tmp_path / "goods" / f"{sku.id}.html").read_text(encoding="utf-8")
    assert "后台改名" in html and "¥88.00" in html


def test_spu_descriptions_are_edited_as_rich_text(staff_client, sku):
    html = staff_client.get(f"/admin/goods/goods/{sku.goods_id}/change/").content.decode()
    assert "trix-editor" in html
    assert "unfold/forms/js/trix/trix.js" in html
