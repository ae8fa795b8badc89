"""The seeded demo shop in Chromium at a desktop's width (1280 px) and a phone's (375 px): each home floor shows its
own categories' goods with pictures of their own, the carousel headline and the ads are not cut off, no page is
wider than the screen. The screenshots of README's "Screens" are taken here: into docs/images/ when
SHOP_SCREENS_DIR says so (`SHOP_SCREENS_DIR=docs/images`), else into the test's temp dir, so a run leaves the
checkout as it was."""

import hashlib
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from haystack import connections
from playwright.sync_api import expect

from meiduo_mall.apps.contents.demo import FLOORS
from meiduo_mall.apps.goods.models import SKU

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 375)
# Further widths the home page is checked at, the window resized: a small phone's landscape, tablets, a wide screen.
OTHER_WIDTHS = (480, 768, 1024, 1920)


@pytest.fixture(scope="module")
def screens_dir(tmp_path_factory):
    return Path(os.environ.get("SHOP_SCREENS_DIR") or tmp_path_factory.mktemp("screens"))


@pytest.fixture
def demo_shop(settings, live_server):
    """The demo catalog, its home page ads, pages and search index, as `make run` prepares them; the pictures
    are served by the live server, as the demo's are by its own."""
    settings.MEDIA_URL = f"{live_server.url}/media/"
    backend = connections["default"].get_backend()
    backend.clear()
    call_command("seed_demo")
    call_command("build_search_index")
    yield
    backend.clear()


@pytest.fixture
def open_page(chromium, live_server):
    """open_page(width) → a page in a fresh context of that width (a phone's context below 600 px); like the
    `page` fixture, it fails the test on any Content-Security-Policy refusal."""
    contexts, refused = [], []

    def open_at(width):
        context = chromium.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            viewport={"width": width, "height": 900},
            is_mobile=width < 600,
            has_touch=width < 600,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: "Content Security Policy" in msg.text and refused.append(msg.text))
        return page

    yield open_at
    for context in contexts:
        context.close()
    assert not refused, refused


def fits_the_screen(page):
    """Nothing on the page is wider than the window (no sideways scrolling)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def screenshot(page, folder, name, width):
    page.evaluate("window.scrollTo(0, 0)")
    # The pictures on the screen are all there (hidden ones and those further down may load lazily).
    page.wait_for_function(
        "[...document.images].every(i => !i.offsetParent || i.getBoundingClientRect().top > innerHeight"
        " || (i.complete && i.naturalWidth))"
    )
    page.screenshot(path=folder / f"screen-{name}-{width}.jpg", type="jpeg", quality=70)


def check_floors(page):
    """Every tab of every floor lists goods of the floor's own categories, each with a different picture."""
    for number, (floor, (title, _channels, _tags, tabs)) in enumerate(FLOORS.items(), start=1):
        section = page.locator(f"#floor-{number}")
        expect(section.locator("h3")).to_contain_text(title)
        for tab, category_names in tabs.items():
            panel = section.locator(f'.floor-panel[data-panel="index_{floor}_{tab}"]')
            links = panel.locator("li > a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
            ids = [int(re.fullmatch(r"/goods/(\d+)\.html", link).group(1)) for link in links]
            assert len(ids) >= 4, (floor, tab)
            skus = SKU.objects.filter(id__in=ids).select_related("goods__category1", "goods__category2")
            for sku in skus:
                categories = {sku.goods.category1.name, sku.goods.category2.name}
                assert categories & set(category_names), (floor, tab, sku.name)
            sources = panel.locator("img").evaluate_all("images => images.map(i => i.getAttribute('src'))")
            assert len(set(sources)) == len(ids), (floor, tab, sources)
            hashes = {hashlib.md5(page.request.get(source).body()).hexdigest() for source in sources}
            assert len(hashes) == len(ids), (floor, tab)
        shown = section.locator(".floor-panel.active img")
        assert shown.evaluate_all("images => images.every(i => i.complete && i.naturalWidth === 400)")


def check_carousel_and_ads(page):
    """The headline, in the middle three quarters of each banner, stays whole and clear of the ‹ › arrows."""
    geometry = page.evaluate(
        """() => {
            const img = document.querySelector('#carousel .slide.active img');
            const box = img.getBoundingClientRect();
            const arrow = document.querySelector('#carousel .carousel-prev').getBoundingClientRect();
            const scale = Math.max(box.width / img.naturalWidth, box.height / img.naturalHeight);
            const ad = document.querySelector('.top-ad img');
            const adBox = ad.getBoundingClientRect();
            return {
                hiddenX: (img.naturalWidth - box.width / scale) / 2 + arrow.width / scale,
                hiddenY: (img.naturalHeight - box.height / scale) / 2,
                width: img.naturalWidth, height: img.naturalHeight,
                adShown: adBox.width / adBox.height, adDrawn: ad.naturalWidth / ad.naturalHeight,
            };
        }"""
    )
    geometry["window"] = page.viewport_size["width"]
    assert geometry["hiddenX"] <= geometry["width"] / 8, geometry
    assert geometry["hiddenY"] <= geometry["height"] / 8, geometry
    assert abs(geometry["adShown"] / geometry["adDrawn"] - 1) < 0.05, geometry


@pytest.mark.parametrize("width", WIDTHS)
def test_the_demo_shop_window(demo_shop, open_page, screens_dir, width):
    page = open_page(width)
    page.goto("/index.html")
    expect(page.locator("#carousel .slide.active img")).to_be_visible()
    page.wait_for_function("[...document.images].every(i => i.complete)")
    check_floors(page)
    check_carousel_and_ads(page)
    fits_the_screen(page)
    screenshot(page, screens_dir, "home", width)
    for other in OTHER_WIDTHS:
        page.set_viewport_size({"width": other, "height": 900})
        check_carousel_and_ads(page)
        fits_the_screen(page)
    page.set_viewport_size({"width": width, "height": 900})

    phone = SKU.objects.filter(category__name="手机").order_by("-sales").first()
    page.goto(f"/list.html?cat={phone.category_id}")
    expect(page.locator(".sku-card").first).to_be_visible()
    fits_the_screen(page)
    screenshot(page, screens_dir, "list", width)

    page.goto(f"/goods/{phone.id}.html")
    expect(page.locator("h1.sku-name")).to_have_text(phone.name)
    fits_the_screen(page)
    screenshot(page, screens_dir, "detail", width)
    page.locator(".add-cart").click()
    expect(page.locator("#site-toast")).to_have_text("已加入购物车")

    page.goto("/cart.html")
    expect(page.locator(".cart-line")).to_have_count(1)
    fits_the_screen(page)
    screenshot(page, screens_dir, "cart", width)

    page.goto("/search.html?q=华为")
    expect(page.locator(".sku-card").first).to_be_visible()
    fits_the_screen(page)
    screenshot(page, screens_dir, "search", width)
