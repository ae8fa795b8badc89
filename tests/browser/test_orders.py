"""Orders in Chromium: settle and place, see it in 我的订单, cancel, confirm receipt, comment."""

import re

import pytest
from playwright.sync_api import expect

from meiduo_mall.apps.carts.tests.fixtures import cart_of, fill_cart
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo
from meiduo_mall.apps.orders.services import place_order
from tests.browser.fixtures import log_in_page
from tests.factories import AddressFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


def order_row(page, order):
    return page.locator(f"table.order[data-order-id='{order.order_id}']")


def test_cash_on_delivery_order_from_cart_to_my_orders(page, user):
    AddressFactory(user=user, receiver="李四", place="西单北大街2号")
    home = AddressFactory(user=user, receiver="张三", place="东长安街1号")
    user.default_address = home
    user.save()
    phone = SKUFactory(name="Apple iPhone 15 蓝色", price="5999.00", stock=10)
    case = SKUFactory(name="手机壳", price="19.90", stock=10)
    kept = SKUFactory(name="未勾选的商品")
    fill_cart(user, {phone.id: 1, case.id: 2, kept.id: 1}, unselected={kept.id})
    log_in_page(page, user)

    page.goto("/cart.html")
    page.get_by_role("button", name="去结算").click()

    page.wait_for_url("**/place_order.html")
    page.locator("tr.line").nth(1).wait_for()
    expect(page.locator("input[name=address]:checked")).to_have_value(str(home.id))
    expect(page.locator(".payment-amount")).to_have_text("6048.80")
    assert "未勾选的商品" not in page.inner_text(".lines")
    page.get_by_label("货到付款").check()
    page.get_by_role("button", name="提交订单").click()

    page.wait_for_url("**/order_success.html?**")
    order = OrderInfo.objects.get(user=user)
    assert page.inner_text(".order-id") == order.order_id
    assert page.inner_text(".amount") == "6048.80"
    assert page.get_by_role("link", name="继续购物").is_visible()
    assert (order.pay_method, order.status, order.address_id) == (1, OrderInfo.Status.UNSEND, home.id)
    assert re.fullmatch("[0-9a-f]{32}", order.idempotency_key)
    assert cart_of(user) == ({kept.id: 1}, set())

    page.locator("#app").get_by_role("link", name="我的订单").click()
    page.wait_for_url("**/user_center_order.html")
    row = order_row(page, order)
    row.wait_for()
    assert "待发货" in row.inner_text()
    assert "货到付款" in row.inner_text()
    assert "Apple iPhone 15 蓝色" in row.inner_text()
    assert SKU.objects.get(pk=phone.pk).stock == 9


def test_placing_more_than_the_stock_alerts_the_shopper(page, user, address):
    scarce = SKUFactory(name="限量款", stock=1)
    fill_cart(user, {scarce.id: 2})
    log_in_page(page, user)
    page.goto("/place_order.html")
    page.locator("tr.line").first.wait_for()
    page.locator("input[name=address]:checked").wait_for()

    # Accept the alert as it opens: a click left waiting on an open alert never returns.
    alerts = []
    page.once("dialog", lambda dialog: (alerts.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="提交订单").click()
    for _ in range(100):
        if alerts:
            break
        page.wait_for_timeout(100)
    assert alerts == ["限量款 库存不足"]
    assert "place_order.html" in page.url
    assert not OrderInfo.objects.exists()


def test_a_submit_whose_answer_was_lost_is_retried_into_the_same_order(page, user, address):
    sku = SKUFactory(name="限量款", stock=5)
    fill_cart(user, {sku.id: 2})
    log_in_page(page, user)
    posts = []

    def lose_the_first_answer(route):
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(route.request.headers["idempotency-key"])
        if len(posts) == 1:
            route.fetch()  # the order is placed; its answer never reaches the page
            route.abort()
        else:
            route.continue_()

    page.route("**/orders/", lose_the_first_answer)
    page.goto("/place_order.html")
    page.locator("tr.line").first.wait_for()
    page.locator("input[name=address]:checked").wait_for()
    page.get_by_role("button", name="提交订单").click()
    expect(page.get_by_role("button", name="提交订单")).to_be_enabled()
    page.get_by_role("button", name="提交订单").click()

    page.wait_for_url("**/order_success.html?**")
    order = OrderInfo.objects.get(user=user)
    assert page.inner_text(".order-id") == order.order_id
    assert posts == [order.idempotency_key] * 2
    assert SKU.objects.get(pk=sku.pk).stock == 3


def test_cancelling_an_unpaid_order_gives_the_stock_back(page, user, address):
    sku = SKUFactory(name="待取消商品", stock=5)
    fill_cart(user, {sku.id: 3})
    order = place_order(user, address, OrderInfo.PayMethod.ALIPAY)
    assert SKU.objects.get(pk=sku.pk).stock == 2
    log_in_page(page, user)

    page.goto("/user_center_order.html")
    row = order_row(page, order)
    row.wait_for()
    assert "待支付" in row.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="取消订单").click()

    row.locator(".status", has_text="已取消").wait_for()
    assert not row.get_by_role("button", name="去支付").count()
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.CANCELED
    assert SKU.objects.get(pk=sku.pk).stock == 5


def test_confirm_receipt_then_comment_every_line(page, user, address):
    skus = [SKUFactory(name="评价商品甲"), SKUFactory(name="评价商品乙")]
    fill_cart(user, {s.id: 1 for s in skus})
    order = place_order(user, address, OrderInfo.PayMethod.CASH)
    OrderInfo.objects.filter(pk=order.pk).update(status=OrderInfo.Status.UNRECEIVED)
    log_in_page(page, user)

    page.goto("/user_center_order.html")
    row = order_row(page, order)
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="确认收货").click()
    row.get_by_role("link", name="去评价").click()

    page.wait_for_url(f"**/goods_judge.html?order_id={order.order_id}")
    first = page.locator(f"form.judge-line[data-sku-id='{skus[0].id}']")
    first.get_by_role("radio", name="3星").click()
    first.locator("textarea").fill("好")
    first.get_by_role("button", name="提交评价").click()
    assert first.locator(".error").inner_text() == "评价内容不能少于5个字"
    first.locator("textarea").fill("质量不错，物流也快")
    first.get_by_label("匿名评价").check()
    first.get_by_role("button", name="提交评价").click()
    first.wait_for(state="detached")
    second = page.locator(f"form.judge-line[data-sku-id='{skus[1].id}']")
    second.locator("textarea").fill("和描述的一样，满意")
    second.get_by_role("button", name="提交评价").click()

    page.locator(".finished").wait_for()
    lines = {line.sku_id: line for line in OrderGoods.objects.filter(order=order)}
    assert (lines[skus[0].id].score, lines[skus[0].id].is_anonymous) == (3, True)
    assert (lines[skus[1].id].score, lines[skus[1].id].comment) == (5, "和描述的一样，满意")
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.FINISHED
