"""The back office in Chromium, as its operators use it: a 商品运营 operator changes a price and the shop's page
of that SKU shows it; a 订单客服 operator ships an order and its buyer reads the tracking number in "my orders";
the dashboard over the demo's data. No page visited shows English. README's "Back office" screenshots are taken
here: into docs/images/ when SHOP_SCREENS_DIR says so, else into the test's temp dir."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Sum
from playwright.sync_api import expect

from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo
from tests.browser.fixtures import log_in_page
from tests.english_strings import english_on_page
from tests.factories import DEFAULT_PASSWORD, OrderFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 1280


@pytest.fixture(scope="module")
def screens_dir(tmp_path_factory):
    return Path(os.environ.get("SHOP_SCREENS_DIR") or tmp_path_factory.mktemp("screens"))


@pytest.fixture
def back_office(chromium, live_server):
    """back_office(operator) → a desktop page logged in at /admin/login/ with the operator's password."""
    contexts = []

    def log_in(operator):
        context = chromium.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": WIDTH, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/admin/login/")
        check_chinese(page)
        page.fill("input[name=username]", operator.username)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.locator("form [type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/admin/")
        return page

    yield log_in
    for context in contexts:
        context.close()


def check_chinese(page, data=()):
    assert english_on_page(page, data=data) == [], page.url


def screenshot(page, folder, name):
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=folder / f"screen-admin-{name}-{WIDTH}.jpg", type="jpeg", quality=70)


def test_a_catalog_operator_changes_a_price_and_the_sku_page_shows_it(back_office, operator_of, page, screens_dir):
    sku = SKUFactory(name="测试手机 黑色 128G", price=Decimal("1999.00"))
    # Saving the SKU wrote its page (goods/signals.py), as any catalog change does once committed.
    page.goto(f"/goods/{sku.id}.html")
    expect(page.locator(".price-box .price")).to_have_text("¥1999.00")

    admin = back_office(operator_of("商品运营"))
    check_chinese(admin)
    admin.goto(f"/admin/goods/sku/{sku.id}/change/")
    check_chinese(admin, data=[sku.name, sku.goods.name, sku.goods.brand.name])
    admin.fill("input[name=price]", "1799.50")
    admin.locator("[name=_save]").click()
    expect(admin.locator("body")).to_contain_text("成功修改")
    check_chinese(admin, data=[sku.name])

    assert SKU.objects.get(pk=sku.pk).price == Decimal("1799.50")
    page.reload()
    expect(page.locator(".price-box .price")).to_have_text("¥1799.50")

    # The SKU's own history says who changed the price from what to what.
    admin.goto(f"/admin/goods/sku/{sku.id}/history/")
    expect(admin.locator("body")).to_contain_text("1799.50")
    check_chinese(admin, data=[sku.name])
    screenshot(admin, screens_dir, "history")


def test_an_order_service_operator_ships_and_the_buyer_sees_the_tracking_number(
    back_office, operator_of, page, screens_dir
):
    sku = SKUFactory(name="测试耳机 白色")
    order = OrderFactory(status=OrderInfo.Status.UNSEND, total_amount=Decimal("100.00"))
    OrderGoods.objects.create(order=order, sku=sku, count=1, price=sku.price)
    buyer = order.user

    admin = back_office(operator_of("订单客服"))
    admin.goto(f"/admin/orders/orderinfo/{order.pk}/change/")
    address = order.address
    for part in (address.province.name, address.city.name, address.district.name, address.place, address.receiver):
        expect(admin.locator("body")).to_contain_text(part)
    expect(admin.locator("body")).to_contain_text(sku.name)
    check_chinese(admin, data=[buyer.username, sku.name, address.receiver])
    screenshot(admin, screens_dir, "order")

    admin.get_by_role("link", name="发货").first.click()
    expect(admin).to_have_url(f"{admin.url.split('/admin/')[0]}/admin/orders/orderinfo/{order.pk}/ship/")
    check_chinese(admin, data=[buyer.username, address.receiver])
    # A tracking number is required: the order stays 待发货.
    admin.select_option("select[name=carrier]", "顺丰速运")
    admin.get_by_role("button", name="确认发货").click()
    expect(admin.locator("body")).to_contain_text("请填写快递单号")
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.UNSEND
    admin.fill("input[name=tracking_number]", "SF1234567890")
    screenshot(admin, screens_dir, "ship")
    admin.get_by_role("button", name="确认发货").click()
    expect(admin.locator("body")).to_contain_text("已发货")
    check_chinese(admin, data=[buyer.username, sku.name, address.receiver])

    shipped = OrderInfo.objects.get(pk=order.pk)
    assert (shipped.status, shipped.carrier, shipped.tracking_number) == (
        OrderInfo.Status.UNRECEIVED,
        "顺丰速运",
        "SF1234567890",
    )
    log_in_page(page, buyer)
    page.goto("/user_center_order.html")
    expect(page.locator(".tracking-number")).to_have_text("SF1234567890")
    expect(page.locator(".carrier")).to_have_text("顺丰速运")
    expect(page.locator("body")).to_contain_text("待收货")


def test_the_dashboard_renders_the_demo_shop(back_office, operator_of, screens_dir):
    # As `make run` prepares it: with the areas, seed_demo adds its reviewers' finished orders.
    call_command("load_areas")
    call_command("seed_demo")
    # A mobile of its own: the demo's reviewers hold 1390000xxxx, as the factories' members do.
    analyst = operator_of("数据分析", mobile="13712345678")
    admin = back_office(analyst)
    for title in ("今日", "支付金额", "热销商品", "库存预警"):
        expect(admin.locator("body")).to_contain_text(title)
    # The reviewers' orders are the 30 days' sales: the top SKUs' table lists the best seller.
    best = OrderGoods.objects.values("sku__name").annotate(sold=Sum("count")).order_by("-sold", "sku_id").first()
    expect(admin.locator("body")).to_contain_text(best["sku__name"])
    names = list(SKU.objects.values_list("name", flat=True)) + [analyst.username]
    check_chinese(admin, data=names)
    assert settings.TIME_ZONE == "Asia/Shanghai"
    screenshot(admin, screens_dir, "dashboard")
