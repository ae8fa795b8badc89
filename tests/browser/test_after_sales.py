"""After-sales in Chromium: a member pays through the sandbox cashier, cancels the order in "my orders" and sees
the full refund; another member returns one line of a received order with photos, a 订单客服 operator approves
it and marks the parcel received in the back office, and the member reads the refund on the return's page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.goods.models import SKU, Goods
from meiduo_mall.apps.orders import services
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo, Refund, ReturnRequest
from meiduo_mall.apps.payment.gateways.sandbox import plan_refund
from meiduo_mall.apps.users.tests.fixtures import jwt_client
from tests.browser.fixtures import log_in_page
from tests.browser.test_back_office import back_office, check_chinese  # noqa: F401 (fixture)
from tests.browser.test_payment import alipay_on_live_server, place_alipay_order  # noqa: F401 (fixture)
from tests.factories import AddressFactory, OrderFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def refunds_on_live_server(alipay_on_live_server, settings):  # noqa: F811 (the fixture imported above)
    """Refunds are sent from the live server's request (eager Celery) to the sandbox's openapi on the same server."""
    settings.SANDBOX_OPENAPI_URL = f"{alipay_on_live_server.url}/payment/sandbox/gateway.do"
    # The return's photos are served back from the live server's media.
    settings.MEDIA_URL = f"{alipay_on_live_server.url}/media/"
    return alipay_on_live_server


def pay_in_sandbox(page, order):
    """The member pays the order from "my orders" at the sandbox cashier, as test_payment.py does."""
    page.goto("/user_center_order.html")
    page.locator(f"table.order[data-order-id='{order.order_id}'] .go-pay").click()
    page.wait_for_url("**/payment/sandbox/gateway/**")
    page.get_by_role("button", name="付款").click()
    page.wait_for_url("**/pay_success.html?**")
    page.wait_for_selector(".paid")
    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNSEND


def fits_a_phone(page):
    """At a phone's width (375 px) nothing on the page is wider than the window."""
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    page.set_viewport_size(size)


def photo_files(folder, count):
    paths = []
    for n in range(count):
        path = folder / f"photo{n}.png"
        Image.new("RGB", (120, 90), (200, 30 * n, 40)).save(path)
        paths.append(str(path))
    return paths


def test_a_member_cancels_a_paid_order_and_sees_the_full_refund(page, refunds_on_live_server, user, address, sku):
    stock = sku.stock
    order = place_alipay_order(user, address, sku)
    log_in_page(page, user)
    pay_in_sandbox(page, order)

    page.goto("/user_center_order.html")
    row = page.locator(f"table.order[data-order-id='{order.order_id}']")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    row.locator(".cancel-unsent").click()

    expect(row.locator(".status")).to_have_text("已取消")
    expect(row.locator(".refund")).to_have_text("已退款 ¥210.00")
    fits_a_phone(page)
    assert asked == ["取消后将全额退款至支付宝，确定取消？"]
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.amount) == (Refund.Status.SUCCEEDED, Decimal("210.00"))
    assert refund.gateway_reference
    assert SKU.objects.get(pk=sku.pk).stock == stock


def test_a_cash_on_delivery_order_is_cancelled_before_shipment_without_a_refund(page, user, address, sku):
    fill_cart(user, {sku.id: 1})
    response = jwt_client(user).post("/orders/", {"address": address.id, "pay_method": 1}, format="json")
    order = OrderInfo.objects.get(order_id=response.json()["order_id"])
    assert order.status == OrderInfo.Status.UNSEND
    log_in_page(page, user)

    page.goto("/user_center_order.html")
    row = page.locator(f"table.order[data-order-id='{order.order_id}']")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    row.locator(".cancel-unsent").click()

    expect(row.locator(".status")).to_have_text("已取消")
    assert asked == [f"确定取消订单 {order.order_id} 吗？"]
    expect(row.locator(".refund")).to_have_count(0)
    assert not Refund.objects.exists()


def test_a_refund_the_gateway_refuses_is_shown_as_handled_by_the_shop(page, refunds_on_live_server, user, address, sku):
    order = place_alipay_order(user, address, sku)
    log_in_page(page, user)
    pay_in_sandbox(page, order)
    plan_refund(order.order_id, "fail")

    page.goto("/user_center_order.html")
    row = page.locator(f"table.order[data-order-id='{order.order_id}']")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator(".cancel-unsent").click()

    expect(row.locator(".status")).to_have_text("已取消")
    expect(row.locator(".refund")).to_have_text("退款失败，客服处理中")
    assert Refund.objects.get(order=order).status == Refund.Status.FAILED


def test_no_return_after_seven_days_nor_of_another_members_order(page, user, sku):
    late = OrderFactory(
        user=user, status=OrderInfo.Status.UNCOMMENT, received_time=timezone.now() - timedelta(days=7, minutes=1)
    )
    OrderGoods.objects.create(order=late, sku=sku, count=1, price=sku.price)
    others = OrderFactory(status=OrderInfo.Status.UNCOMMENT, received_time=timezone.now())
    OrderGoods.objects.create(order=others, sku=sku, count=1, price=sku.price)
    log_in_page(page, user)

    page.goto("/user_center_order.html")
    row = page.locator(f"table.order[data-order-id='{late.order_id}']")
    expect(row.locator(".status")).to_have_text("待评价")
    expect(row.locator(".apply-return")).to_have_count(0)
    page.goto(f"/order_return.html?order_id={late.order_id}")
    expect(page.locator(".order-return .empty")).to_contain_text("已超过7天退货期限")
    page.goto(f"/order_return.html?order_id={others.order_id}")
    expect(page.locator(".order-return .empty")).to_contain_text("订单不存在")
    assert not ReturnRequest.objects.exists()


def test_a_member_returns_one_line_and_sees_the_refund_after_the_back_office_receives_it(
    page,
    refunds_on_live_server,
    back_office,  # noqa: F811 (the fixture imported above)
    operator_of,
    tmp_path,
):
    buyer = UserFactory()
    address = AddressFactory(user=buyer)
    phone = SKUFactory(name="测试手机 黑色 128G", price=Decimal("100.00"))
    case = SKUFactory(name="测试手机壳 透明", price=Decimal("30.00"))
    # A case worn out of its wrapping is no longer new: no return without reason, a faulty one still goes back.
    Goods.objects.filter(pk=case.goods_id).update(returnable=False)
    fill_cart(buyer, {phone.id: 1, case.id: 2})
    response = jwt_client(buyer).post("/orders/", {"address": address.id, "pay_method": 2}, format="json")
    order = OrderInfo.objects.get(order_id=response.json()["order_id"])
    case_line = order.skus.get(sku=case)
    log_in_page(page, buyer)
    pay_in_sandbox(page, order)
    services.ship(order, "顺丰速运", "SF1234567890")
    services.confirm_receipt(order)

    page.goto("/user_center_order.html")
    page.locator(f"table.order[data-order-id='{order.order_id}'] .apply-return").click()
    page.wait_for_url(f"**/order_return.html?order_id={order.order_id}")
    line = page.locator(f".return-line[data-order-goods-id='{case_line.id}']")
    line.locator("input[type=checkbox]").check()
    line.locator(".count-input").fill("1")
    expect(page.locator("#return-reason option", has_text="7天无理由退货")).to_be_disabled()
    expect(page.locator(".explain")).to_contain_text("不支持7天无理由退货")
    page.select_option("#return-reason", label="质量问题")
    page.fill("#return-description", "手机壳边缘有裂纹")
    # A fourth photo is refused in the page; one is kept after removing two.
    page.set_input_files("#return-photos", photo_files(tmp_path, 4))
    expect(page.locator(".photos img")).to_have_count(3)
    expect(page.locator(".order-return .error")).to_have_text("最多上传3张照片")
    page.locator(".remove-photo").first.click()
    page.locator(".remove-photo").first.click()
    expect(page.locator(".photos img")).to_have_count(1)
    fits_a_phone(page)
    page.get_by_role("button", name="提交申请").click()

    page.wait_for_url("**/user_center_return.html?id=*")
    expect(page.locator(".return-status")).to_have_text("待审核")
    expect(page.locator(".return-detail .photos img")).to_have_count(1)
    page.wait_for_function("document.querySelector('.return-detail .photos img').naturalWidth === 120")
    return_request = ReturnRequest.objects.get(order=order)
    assert return_request.refund_amount == Decimal("30.00")

    names = [buyer.username, phone.name, case.name, address.receiver, "手机壳边缘有裂纹"]
    admin = back_office(operator_of("订单客服"))
    admin.goto("/admin/orders/returnrequest/")
    expect(admin.locator("body")).to_contain_text(order.order_id)
    check_chinese(admin, data=names)
    change = f"/admin/orders/returnrequest/{return_request.pk}/change/"
    admin.goto(change)
    check_chinese(admin, data=names)
    admin.get_by_role("link", name="同意退货").first.click()
    check_chinese(admin, data=names)
    admin.fill("[name=note]", "请寄回")
    admin.get_by_role("button", name="确认同意").click()
    expect(admin.locator("body")).to_contain_text("已同意退货申请")
    check_chinese(admin, data=names)

    page.reload()
    expect(page.locator(".return-status")).to_have_text("待寄回")
    expect(page.locator(".operator-note")).to_have_text("请寄回")
    fits_a_phone(page)
    page.select_option("#return-carrier", "中通快递")
    page.get_by_role("button", name="提交快递信息").click()
    expect(page.locator(".shipment-form .error")).to_have_text("请填写快递单号")
    page.fill("#return-tracking-number", "ZT20261201001")
    page.get_by_role("button", name="提交快递信息").click()
    expect(page.locator(".return-status")).to_have_text("已寄回")
    expect(page.locator(".tracking-number")).to_have_text("ZT20261201001")
    fits_a_phone(page)

    admin.goto(change)
    admin.get_by_role("link", name="确认收货并退款").first.click()
    check_chinese(admin, data=names)
    admin.get_by_role("button", name="确认收货并退款").click()
    expect(admin.locator("body")).to_contain_text("已确认收货")
    check_chinese(admin, data=names)

    page.reload()
    expect(page.locator(".return-status")).to_have_text("已收货")
    expect(page.locator(".refund-status")).to_have_text("已退款")
    expect(page.locator(".return-detail .refund")).to_contain_text("¥30.00")
    expect(page.locator(".timeline .step")).to_have_text(["待审核", "待寄回", "已寄回", "已收货", "已退款"])
    page.locator("#user-center-menu").get_by_role("link", name="退货/售后").click()
    listed = page.locator(f".return-list tr[data-return-id='{return_request.pk}']")
    expect(listed.locator(".return-status")).to_have_text("已收货")
    fits_a_phone(page)
    page.goto("/user_center_order.html")
    expect(page.locator(f"table.order[data-order-id='{order.order_id}'] .refund")).to_have_text("已退款 ¥30.00")
    refund = Refund.objects.get(return_request=return_request)
    assert (refund.status, refund.amount) == (Refund.Status.SUCCEEDED, Decimal("30.00"))
