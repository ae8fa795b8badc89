"""The home page: ads by slot and the category menu in the generated index.html, the ads' back office pages,
and `seed_demo`, which seeds the catalog and the home page ads."""

import pytest
from django.conf import settings
from django.core.management import call_command

from celery_tasks.html.tasks import generate_index_html
from meiduo_mall.apps.contents.models import Content, ContentCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages_dir(settings, tmp_path):
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def test_home_page_shows_menu_and_ads_by_slot(pages_dir, sku):
    goods = sku.goods
    carousel = ContentCategory.objects.create(name="轮播图", key="index_lbt")
    news = ContentCategory.objects.create(name="快讯", key="index_kx")
    floor = ContentCategory.objects.create(name="1楼时尚新品", key="index_1f_ssxp")
    Content.objects.create(category=carousel, title="大促", url="/list.html?cat=1", image="contents/a.jpg", sequence=1)
    Content.objects.create(category=news, title="新品快讯", url="/index.html", sequence=2)
    Content.objects.create(category=news, title="隐藏快讯", url="/index.html", sequence=1, status=False)
    Content.objects.create(category=floor, title="楼层商品", url="/goods/1.html", text="¥10.00", sequence=1)
    generate_index_html()
    html = (pages_dir / "index.html").read_text(encoding="utf-8")
    assert f'src="{settings.MEDIA_URL}contents/a.jpg"' in html and 'alt="大促"' in html
    assert "新品快讯" in html and "隐藏快讯" not in html
    assert "楼层商品" in html and "¥10.00" in html
    assert goods.category1.name in html
    assert f'href="/list.html?cat={goods.category3_id}"' in html
    assert 'src="/js/index.js"' in html


def test_ads_admin_pages_render(staff_client):
    slot = ContentCategory.objects.create(name="快讯", key="index_kx")
    content = Content.objects.create(category=slot, title="快讯一", url="/index.html", sequence=1)
    for url in ("/admin/contents/contentcategory/", f"/admin/contents/content/{content.id}/change/"):
        assert staff_client.get(url).status_code == 200, url


def test_seed_bulk_skus_tops_up_to_the_wanted_number(pages_dir, sku):
    call_command("seed_demo", skus=30)
    call_command("seed_demo", skus=30)
    bulk = sku.category.sku_set.filter(caption="批量生成的测试商品")
    assert bulk.count() == 30
    assert bulk.filter(is_launched=True).count() == 30
