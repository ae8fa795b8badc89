"""Breadcrumbs without repeated names: the detail page shows a name once, at its lowest level, and keeps the
list link; G2 itself still names every level (list.js drops the repeats the same way)."""

import re

import pytest

from celery_tasks.html.tasks import regenerate_detail_html
from tests.factories import GoodsFactory, SKUFactory, category_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pages_dir(settings, tmp_path):
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path
    return tmp_path


def detail_breadcrumb(pages_dir, names):
    sku = SKUFactory(goods=GoodsFactory(tree=category_tree(names)), name="一件商品")
    regenerate_detail_html(sku.id)
    html = (pages_dir / "goods" / f"{sku.id}.html").read_text(encoding="utf-8")
    crumb = re.search(r'<div class="breadcrumb">(.*?)</div>', html, re.S).group(1)
    return re.findall(r">([^<>]+)</(?:a|em)>", crumb), sku


@pytest.mark.parametrize(
    "names, shown",
    [
        (("手机", "手机通讯", "手机"), ["手机通讯", "手机"]),
        (("男装", "男装", "T恤"), ["男装", "T恤"]),
        (("电子书", "电子书", "电子书"), ["电子书"]),
        (("电脑", "电脑整机", "笔记本"), ["电脑", "电脑整机", "笔记本"]),
    ],
)
def test_detail_breadcrumb_names_each_level_once(pages_dir, names, shown):
    crumbs, sku = detail_breadcrumb(pages_dir, names)
    assert crumbs == [*shown, "一件商品"]


def test_the_list_link_stays_when_its_name_repeats(pages_dir):
    _, sku = detail_breadcrumb(pages_dir, ("手机", "手机通讯", "手机"))
    html = (pages_dir / "goods" / f"{sku.id}.html").read_text(encoding="utf-8")
    assert f'<a href="/list.html?cat={sku.category_id}" class="cat3">手机</a>' in html


def test_g2_still_names_every_level(api_client):
    cat1, cat2, cat3 = category_tree(("手机", "手机通讯", "手机"))
    body = api_client.get(f"/categories/{cat3.id}/").json()
    assert (body["cat1"]["category"]["name"], body["cat2"]["name"], body["cat3"]["name"]) == (
        "手机",
        "手机通讯",
        "手机",
    )
