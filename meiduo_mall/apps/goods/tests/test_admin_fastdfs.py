"""SKU images uploaded in the back office go to FastDFS (local stand-in servers speaking its protocol):
the image's URL is FDFS_BASE_URL + file id, serves the bytes, and the regenerated detail page shows it."""

import io
import urllib.request

import pytest
from PIL import Image

from meiduo_mall.apps.goods.models import SKUImage
from meiduo_mall.apps.goods.tests.admin_forms import sku_change_form
from meiduo_mall.utils.fastdfs.client import FILE_ID
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def admin_client(client):
    """The test client logged in through the back office's login form as a superuser."""
    user = UserFactory(is_staff=True, is_superuser=True)
    login = {"username": user.username, "password": DEFAULT_PASSWORD, "next": "/admin/"}
    response = client.post("/admin/login/", login)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return client


def change_form(sku, picture, name="后台上传的图片.jpg"):
    upload = io.BytesIO(picture)
    upload.name = name
    return sku_change_form(sku, images=[upload])


def test_an_sku_image_uploaded_in_the_back_office_is_stored_on_fastdfs_and_shown(
    admin_client, sku, fake_fastdfs, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path
    picture = jpeg()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/goods/sku/{sku.id}/change/", change_form(sku, picture))
    assert response.status_code == 302

    image = SKUImage.objects.get(sku=sku)
    assert FILE_ID.fullmatch(image.image.name) and image.image.name.endswith(".jpg")
    assert fake_fastdfs.files[image.image.name].content == picture
    url = image.image.url
    assert url == settings.FDFS_BASE_URL + image.image.name
    with urllib.request.urlopen(url, timeout=5) as served:
        assert served.read() == picture
        assert served.headers["Content-Type"] == "image/jpeg"

    html = (tmp_path / "goods" / f"{sku.id}.html").read_text(encoding="utf-8")
    assert f'src="{url}"' in html


def test_the_change_page_links_the_stored_image(admin_client, sku, fake_fastdfs):
    with_image = admin_client.post(f"/admin/goods/sku/{sku.id}/change/", change_form(sku, jpeg()))
    assert with_image.status_code == 302
    image = SKUImage.objects.get(sku=sku)
    page = admin_client.get(f"/admin/goods/sku/{sku.id}/change/").content.decode()
    assert f'href="{image.image.url}"' in page


def test_with_the_trackers_down_the_upload_fails_clearly_and_nothing_is_saved(
    admin_client, sku, fake_fastdfs, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path
    fake_fastdfs.stop()
    form = change_form(sku, jpeg())
    form["name"] = "不该保存的新名字"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/goods/sku/{sku.id}/change/", form, follow=True)
    assert response.status_code == 200
    assert "图片服务器暂不可用，本次修改未保存" in response.content.decode()
    assert not SKUImage.objects.filter(sku=sku).exists()
    sku.refresh_from_db()
    assert sku.name != "不该保存的新名字"  # the whole change was rolled back, not half saved
    assert not (tmp_path / "goods" / f"{sku.id}.html").exists()


def test_an_sku_without_a_default_picture_shows_its_first_uploaded_image(admin_client, sku, fake_fastdfs):
    form = change_form(sku, jpeg())
    form["default_image_url"] = ""
    assert admin_client.post(f"/admin/goods/sku/{sku.id}/change/", form).status_code == 302
    sku.refresh_from_db()
    assert sku.default_image_url == SKUImage.objects.get(sku=sku).image.url
