"""The demo catalog's pictures: a Lucide drawing per product type, colours that match their names, captions whole."""

import hashlib

import pytest
from PIL import Image, ImageDraw

from meiduo_mall.apps.goods.demo import catalog
from meiduo_mall.apps.goods.demo.icons import CATEGORY_ICONS, FALLBACK_ICON, element_lines, icon_for, icon_nodes
from meiduo_mall.apps.goods.demo.images import colour_of, draw_product, fit_text


def test_every_lucide_icon_flattens_to_lines_inside_its_grid():
    for name, nodes in icon_nodes().items():
        lines = [line for tag, attrs in nodes for line in element_lines(tag, attrs)]
        assert lines, name
        for line in lines:
            assert all(-1 <= x <= 25 and -1 <= y <= 25 for x, y in line), name


def test_each_product_type_of_the_demo_has_a_drawing_of_its_own():
    assert set(CATEGORY_ICONS.values()) <= set(icon_nodes())
    icons = {path: icon_for(*reversed(path)) for _, _, path, *_ in catalog.GOODS}
    assert FALLBACK_ICON not in icons.values()
    assert (
        icons[("手机", "手机通讯", "手机")] != icons[("电脑", "电脑整机", "笔记本")] != icons[("男装", "男装", "T恤")]
    )
    assert len(set(icons.values())) >= 20


@pytest.mark.parametrize(
    ("name", "looks"),
    [
        ("红色", lambda r, g, b: r > 180 and g < 90 and b < 90),
        ("酒红色", lambda r, g, b: r > 2 * g and r > 2 * b),
        ("钻雕蓝", lambda r, g, b: b > 180 and b > r + 80),
        ("深蓝色", lambda r, g, b: b > r + 60 and b < 160),
        ("钻雕金", lambda r, g, b: r > g > b + 60),
        ("香槟金", lambda r, g, b: r > g > b),
        ("铂金银", lambda r, g, b: min(r, g, b) > 180 and max(r, g, b) - min(r, g, b) < 20),
        ("星河银", lambda r, g, b: min(r, g, b) > 180 and max(r, g, b) - min(r, g, b) < 20),
        ("曜石黑", lambda r, g, b: max(r, g, b) < 50),
        ("黑白", lambda r, g, b: max(r, g, b) < 50),
        ("皓月白", lambda r, g, b: min(r, g, b) > 240),
        ("粉色", lambda r, g, b: r > 230 and b > g),
        ("藏青色", lambda r, g, b: b > r and max(r, g, b) < 110),
        ("军绿色", lambda r, g, b: g > r and g > b),
        ("罗兰紫", lambda r, g, b: b > g and r > g),
    ],
)
def test_a_colour_name_gives_that_colour(name, looks):
    assert looks(*colour_of(name)), (name, colour_of(name))


def test_a_long_name_wraps_or_shrinks_without_losing_a_character():
    draw = ImageDraw.Draw(Image.new("RGB", (400, 400)))
    name = "华为 HUAWEI P10 Plus 全网通 超长的名字用来测试换行 6GB+128GB 钻雕金"
    face, lines = fit_text(draw, name, 368, 24, 14, 2)
    assert len(lines) <= 2
    assert all(draw.textlength(line, font=face) <= 368 for line in lines)
    assert "".join(lines).replace(" ", "") == name.replace(" ", "")


def test_pictures_differ_by_product_type_and_by_colour():
    pictures = [
        draw_product("华为 HUAWEI P10 Plus", "钻雕金", 0, "smartphone"),
        draw_product("华为 HUAWEI P10 Plus", "曜石黑", 0, "smartphone"),
        draw_product("华为 HUAWEI P10 Plus", "钻雕金", 0, "laptop"),
    ]
    assert len({hashlib.md5(picture.tobytes()).hexdigest() for picture in pictures}) == 3
    # The drawing is in the variant's colour: gold pixels in the gold phone, none in the black one.
    gold = colour_of("钻雕金")
    assert gold in {colour for _, colour in pictures[0].getcolors(400 * 400)}
    assert gold not in {colour for _, colour in pictures[1].getcolors(400 * 400)}
