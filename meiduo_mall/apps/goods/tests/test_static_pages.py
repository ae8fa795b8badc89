"""Generated pages (home, SKU detail), their post-commit triggers and the bulk commands."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from celery_tasks.html.tasks import regenerate_detail_html
from meiduo_mall.apps.goods import services
from meiduo_mall.apps.goods.detail_page import generate_detail_pages
from meiduo_mall.apps.goods.models import GoodsSpecification, SKUImage, SKUSpecification, SpecificationOption
from meiduo_mall.apps.goods.static_html import category_menu
from tests.factories import GoodsFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pages_dir(settings, tmp_path):
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def phone():
    """An SPU with 颜色 × 内存 where the 金色/256GB combination does not exist."""
    goods = GoodsFactory(name="测试手机", desc_detail='<p>好手机<script>alert("x")</script><b>真的</b></p>')
    colour = GoodsSpecification.objects.create(goods=goods, name="颜色")
    memory = GoodsSpecification.objects.create(goods=goods, name="内存")
    gold, grey = (SpecificationOption.objects.create(spec=colour, value=v) for v in ("金色", "深空灰"))
    small, large = (SpecificationOption.objects.create(spec=memory, value=v) for v in ("64GB", "256GB"))
    skus = {}
    for key, options in {"gold-64": (gold, small), "grey-64": (grey, small), "grey-256": (grey, large)}.items():
        sku = SKUFactory(goods=goods, name=f"测试手机 {key}", price=Decimal("4999.00"))
        for spec, option in zip((colour, memory), options, strict=True):
            SKUSpecification.objects.create(sku=sku, spec=spec, option=option)
        skus[key] = sku
    return skus


def read_page(pages_dir, sku):
    return (pages_dir / "goods" / f"{sku.id}.html").read_text(encoding="utf-8")


def test_detail_page_has_the_sku_its_breadcrumb_and_sibling_links(pages_dir, phone):
    sku = phone["gold-64"]
    regenerate_detail_html(sku.id)
    html = read_page(pages_dir, sku)
    goods = sku.goods
    assert "测试手机 gold-64" in html and "¥4999.00" in html
    assert f'<a href="/list.html?cat={goods.category3_id}" class="cat3">{goods.category3.name}</a>' in html
    assert 'href="http://shouji.meiduo.site"' in html
    assert f'<a class="option selected" href="/goods/{sku.id}.html">金色</a>' in html
    assert f'<a class="option" href="/goods/{phone["grey-64"].id}.html">深空灰</a>' in html
    assert '<span class="option disabled" title="暂无此组合">256GB</span>' in html
    assert f"var price = 4999.00; var cat = {goods.category3_id}; var sku_id = {sku.id};" in html
    assert 'src="/js/detail.js"' in html and 'id="site-header"' in html
    assert "/list.html?cat=" in html  # the category menu


def test_rich_text_is_sanitized(pages_dir, phone):
    regenerate_detail_html(phone["grey-64"].id)
    html = read_page(pages_dir, phone["grey-64"])
    assert "<b>真的</b>" in html
    assert 'alert("x")' not in html and "<script>alert" not in html


def test_sku_with_incomplete_specs_or_unlaunched_gets_no_page(pages_dir, phone):
    sku = phone["grey-256"]
    regenerate_detail_html(sku.id)
    assert (pages_dir / "goods" / f"{sku.id}.html").exists()
    sku.is_launched = False
    sku.save()
    regenerate_detail_html(sku.id)
    assert not (pages_dir / "goods" / f"{sku.id}.html").exists()
    incomplete = phone["gold-64"]
    incomplete.specs.first().delete()
    regenerate_detail_html(incomplete.id)
    assert not (pages_dir / "goods" / f"{incomplete.id}.html").exists()


def test_pages_are_written_without_leftover_temp_files(pages_dir, phone):
    for sku in phone.values():
        regenerate_detail_html(sku.id)
    assert sorted(p.name for p in (pages_dir / "goods").iterdir()) == sorted(f"{s.id}.html" for s in phone.values())


def test_changes_regenerate_pages_only_after_commit(pages_dir, phone, django_capture_on_commit_callbacks):
    sku = phone["gold-64"]
    page = pages_dir / "goods" / f"{sku.id}.html"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sku.name = "测试手机 改名"
        sku.save()
    assert callbacks and not page.exists()
    for callback in callbacks:
        callback()
    assert "测试手机 改名" in page.read_text(encoding="utf-8")

    with django_capture_on_commit_callbacks(execute=True):
        sku.goods.desc_detail = "<p>新的介绍</p>"
        sku.goods.save()
    assert all("新的介绍" in read_page(pages_dir, s) for s in phone.values())

    with django_capture_on_commit_callbacks(execute=True):
        sku.delete()
    assert not page.exists()


def test_an_image_gives_a_sku_without_picture_its_default(phone, django_capture_on_commit_callbacks):
    sku = phone["grey-64"]
    sku.default_image_url = ""
    sku.save()
    with django_capture_on_commit_callbacks(execute=True):
        SKUImage.objects.create(sku=sku, image="skus/front.jpg")
    sku.refresh_from_db()
    assert sku.default_image_url == f"{settings.MEDIA_URL}skus/front.jpg"


def test_catalog_changes_bump_the_list_cache_version(phone, django_capture_on_commit_callbacks):
    before = services.catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        phone["gold-64"].goods.category3.save()
    assert services.catalog_version() > before


def test_regenerate_detail_html_writes_every_launched_sku(pages_dir, phone):
    SKUFactory(is_launched=False)
    call_command("regenerate_detail_html")
    assert len(list((pages_dir / "goods").glob("*.html"))) == 3


def test_a_new_sibling_updates_the_links_of_the_existing_pages(pages_dir, phone, django_capture_on_commit_callbacks):
    gold_64 = phone["gold-64"]
    regenerate_detail_html(gold_64.id)
    assert '<span class="option disabled" title="暂无此组合">256GB</span>' in read_page(pages_dir, gold_64)
    gold = SpecificationOption.objects.get(value="金色")
    large = SpecificationOption.objects.get(value="256GB")
    with django_capture_on_commit_callbacks(execute=True):
        gold_256 = SKUFactory(goods=gold_64.goods, name="测试手机 gold-256")
        SKUSpecification.objects.create(sku=gold_256, spec=gold.spec, option=gold)
        SKUSpecification.objects.create(sku=gold_256, spec=large.spec, option=large)
    assert f'<a class="option" href="/goods/{gold_256.id}.html">256GB</a>' in read_page(pages_dir, gold_64)
    assert f'<a class="option selected" href="/goods/{gold_256.id}.html">256GB</a>' in read_page(pages_dir, gold_256)


def page_times(pages_dir):
    return {path.name: path.stat().st_mtime_ns for path in (pages_dir / "goods").glob("*.html")}


def regenerate(**options):
    out = io.StringIO()
    call_command("regenerate_detail_html", stdout=out, **options)
    return out.getvalue()


def test_regenerate_detail_html_writes_only_the_pages_whose_content_changed(pages_dir, phone):
    assert regenerate().startswith("3 detail pages written, 0 unchanged, 0 removed")
    before = page_times(pages_dir)
    assert read_page(pages_dir, phone["gold-64"]).rstrip().endswith("-->")

    assert regenerate().startswith("0 detail pages written, 3 unchanged, 0 removed")
    assert page_times(pages_dir) == before

    SKUImage.objects.create(sku=phone["grey-64"], image="goods/grey.jpg")
    assert regenerate().startswith("1 detail pages written, 2 unchanged")
    assert "goods/grey.jpg" in read_page(pages_dir, phone["grey-64"])

    # A renamed category changes the menu of every page.
    category = phone["gold-64"].goods.category3
    category.name = "智能手机"
    category.save()
    assert regenerate().startswith("3 detail pages written, 0 unchanged")
    assert regenerate(all=True).startswith("3 detail pages written, 0 unchanged")


def test_regenerate_detail_html_removes_the_pages_of_skus_taken_off_sale(pages_dir, phone):
    regenerate()
    sku = phone["grey-256"]
    sku.is_launched = False
    sku.save()

    # Its siblings' pages change too: their link to it becomes a disabled option.
    assert regenerate().startswith("2 detail pages written, 0 unchanged, 1 removed")
    assert not (pages_dir / "goods" / f"{sku.id}.html").exists()
    assert '<span class="option disabled" title="暂无此组合">256GB</span>' in read_page(pages_dir, phone["grey-64"])
    assert sorted(page_times(pages_dir)) == sorted(f"{phone[key].id}.html" for key in ("gold-64", "grey-64"))


def test_a_batch_of_pages_costs_the_same_queries_as_one(pages_dir, phone, django_assert_num_queries):
    menu = category_menu()
    sku_ids = [sku.id for sku in phone.values()]
    with CaptureQueriesContext(connection) as one:
        generate_detail_pages(sku_ids[:1], menu)
    with django_assert_num_queries(len(one)):
        assert generate_detail_pages(sku_ids, menu) == sku_ids


@pytest.mark.django_db(transaction=True)
def test_regenerate_detail_html_renders_in_parallel_processes(pages_dir, phone):
    # Committed rows (transaction=True): the forked processes read them over their own connections.
    for page in (pages_dir / "goods").glob("*.html"):
        page.unlink()  # written after commit by the task the fixture's saves queued
    written = regenerate(jobs=2)
    assert written.startswith("3 detail pages written, 0 unchanged, 0 removed") and "2 processes" in written
    for sku in phone.values():
        assert sku.name in read_page(pages_dir, sku)
    assert regenerate(jobs=2).startswith("0 detail pages written, 3 unchanged")
