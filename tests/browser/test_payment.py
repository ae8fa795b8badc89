"""Paying an Alipay order in Chromium through the built-in sandbox gateway."""

import pytest

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.users.tests.fixtures import jwt_client
from tests.browser.fixtures import log_in_page


@pytest.fixture
def alipay_on_live_server(live_server, settings):
    """The sandbox gateway, its notice and the buyer's return all go to the live server."""
    settings.FRONTEND_ORIGIN = live_server.url
    settings.ALIPAY_URL = f"{live_server.url}/payment/sandbox/gateway/"
    settings.ALIPAY_NOTIFY_URL = f"{live_server.url}/payment/notify/"
    return live_server


def place_alipay_order(user, address, sku, count=2):
    """An order placed through the API from a member's cart in Redis, as the cart page leaves it."""
    fill_cart(user, {sku.id: count})
    response = jwt_client(user).post("/orders/", {"address": address.id, "pay_method": 2}, format="json")
    assert response.status_code == 201, response.content
    return OrderInfo.objects.get(order_id=response.json()["order_id"])


@pytest.mark.django_db(transaction=True)
def test_paying_an_alipay_order_in_the_sandbox_gateway(page, alipay_on_live_server, user, address, sku):
    order = place_alipay_order(user, address, sku)
    log_in_page(page, user)

    page.goto(f"/order_success.html?order_id={order.order_id}&amount={order.total_amount}&pay=2")
    page.get_by_text("去支付").click()

    page.wait_for_url("**/payment/sandbox/gateway/**")
    assert f"美多商城{order.order_id}" in page.inner_text(".subject")
    assert "¥210.00" in page.inner_text(".amount")
    page.get_by_role("button", name="付款").click()

    page.wait_for_url("**/pay_success.html?**")
    page.wait_for_selector(".paid")
    assert "支付成功" in page.inner_text(".pay-result")
    trade_id = page.inner_text(".trade-id")
    assert Payment.objects.get(order_id=order.order_id).trade_id == trade_id
    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNSEND

    page.locator(".pay-result").get_by_role("link", name="我的订单").click()
    page.wait_for_url("**/user_center_order.html")
    status = page.locator(f"table.order[data-order-id='{order.order_id}'] .status")
    assert status.inner_text() == "待发货"


@pytest.mark.django_db(transaction=True)
def test_cancel_on_the_gateway_leaves_the_order_unpaid(page, alipay_on_live_server, user, address, sku):
    order = place_alipay_order(user, address, sku)
    log_in_page(page, user)
    page.goto("/user_center_order.html")
    row = page.locator(f"table.order[data-order-id='{order.order_id}']")

    row.locator(".go-pay").click()
    page.wait_for_url("**/payment/sandbox/gateway/**")
    page.get_by_role("link", name="取消").click()

    page.wait_for_url("**/user_center_order.html")
    row.locator(".go-pay").wait_for()
    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNPAID
    assert not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_forged_return_shows_illegal_request(page, alipay_on_live_server):
    page.goto("/pay_success.html?out_trade_no=20261123220000000000001&trade_no=1&total_amount=0.01&sign=Zm9yZ2Vk")

    page.wait_for_selector(".failed")
    assert page.inner_text(".failed") == "非法请求"
    assert page.locator(".pay-result").get_by_role("link", name="我的订单").is_visible()
