"""The shop's pages built from templates/pages/ by `manage.py build_pages`: one shell, served as plain files."""

import io
import re

from django.core.management import call_command

from meiduo_mall.apps.contents.shop_pages import shop_page_names

USER_CENTER = {
    "user_center_info": "个人信息",
    "user_center_site": "收货地址",
    "user_center_order": "全部订单",
    "goods_judge": "全部订单",
    "user_center_coupon": "我的优惠券",
    "user_center_pass": "修改密码",
    "user_center_return": "退货/售后",
    "order_return": "退货/售后",
}


def build(tmp_path):
    call_command("build_pages", pages_dir=str(tmp_path), stdout=io.StringIO())
    return {path.stem: path.read_text(encoding="utf-8") for path in tmp_path.glob("*.html")}


def test_every_template_in_pages_is_built_to_a_page_of_that_name(tmp_path):
    pages = build(tmp_path)
    assert set(pages) == set(shop_page_names())
    assert {"login", "register", "cart", "place_order", "user_center_site", "search", "list"} <= set(pages)


def test_each_page_has_the_shell_once_and_runs_its_own_script(tmp_path):
    for name, html in build(tmp_path).items():
        assert html.startswith("<!DOCTYPE html>"), name
        for part in ('id="site-header"', 'id="site-footer"', 'id="app"', 'src="/js/header.js"'):
            assert html.count(part) == 1, (name, part)
        assert html.index('src="/js/header.js"') < html.index(f'src="/js/{name}.js"'), name
        # Nothing of Django's template language is left for the browser; Vue's [[ ]] is.
        assert not re.search(r"\{\{|\{%|\{#", html), name
        assert "[[ " in html, name


def test_the_user_centre_menu_marks_the_page_it_is_on(tmp_path):
    pages = build(tmp_path)
    for name, label in USER_CENTER.items():
        menu = re.search(r'<nav class="side" id="user-center-menu">(.*?)</nav>', pages[name], re.S).group(1)
        assert re.findall(r'<a href="[^"]+" class="active">([^<]+)</a>', menu) == [label], name
    assert 'id="user-center-menu"' not in pages["login"]


def test_django_serves_the_built_pages_as_files(client, settings, tmp_path):
    settings.FRONT_END_DIR = tmp_path
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path / "generated"
    build(tmp_path)
    response = client.get("/login.html")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == (tmp_path / "login.html").read_text(encoding="utf-8")
