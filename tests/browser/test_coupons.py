"""Coupons and freight in Chromium: a member claims a 满100减10 in 领券中心, places an order over the 包邮 amount with
it preselected as the best, and reads 优惠 and 运费 in my orders; an order below the coupon's threshold is offered
none and pays the base freight; 我的优惠券 files the coupon under 已使用. Also: what the coupon centre shows of a
coupon all claimed or claimed meanwhile, the freight of a remote address, and a coupon used by another tab's order
before this one is submitted. The page of 提交订单 with its coupons is README's screen: into docs/images/ when
SHOP_SCREENS_DIR says so, else into the test's temp dir."""

import io
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.coupons.models import Coupon, MemberCoupon
from meiduo_mall.apps.coupons.services import use_coupon
from meiduo_mall.apps.coupons.tests.fixtures import CouponFactory
from meiduo_mall.apps.orders.models import FreightRule, FreightSurcharge, OrderInfo
from meiduo_mall.apps.users.tests.fixtures import jwt_client
from tests.browser.fixtures import log_in_page
from tests.browser.test_after_sales import fits_a_phone
from tests.factories import AddressFactory, SKUFactory, area_chain

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def screens_dir(tmp_path_factory):
    return Path(os.environ.get("SHOP_SCREENS_DIR") or tmp_path_factory.mktemp("screens"))


@pytest.fixture
def page_errors(page):
    """What the page's scripts threw or logged as errors, for the test to check at its end. The browser's own
    line for an answer of 4xx is not one: the pages show the shop's refusals on purpose."""
    errors = []

    def logged(msg):
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", logged)
    return errors


@pytest.fixture
def picture(settings, live_server):
    """picture(name, colour) → the URL of a PNG in the default storage, served by the live server (README's screen
    shows the goods' pictures)."""
    settings.MEDIA_URL = f"{live_server.url}/media/"

    def draw(name, colour):
        buffer = io.BytesIO()
        Image.new("RGB", (120, 120), colour).save(buffer, format="PNG")
        return default_storage.url(default_storage.save(f"skus/{name}.png", ContentFile(buffer.getvalue())))

    return draw


@pytest.fixture
def free_over_99(db):
    return FreightRule.objects.create(name="满99包邮", base_fee=Decimal("10.00"), free_over=Decimal("99.00"))


@pytest.fixture
def member(user):
    """The user with a default address in Beijing."""
    user.default_address = AddressFactory(user=user, receiver="张三")
    user.save()
    return user


def order_row(page, order):
    return page.locator(f"table.order[data-order-id='{order.order_id}']")


def test_a_member_claims_a_coupon_and_pays_less_with_free_freight(
    page, page_errors, member, free_over_99, picture, screens_dir
):
    coupon = CouponFactory(name="店庆满减券", threshold=Decimal("100.00"), amount=Decimal("10.00"), per_member_limit=2)
    speaker = SKUFactory(
        name="蓝牙音箱", price=Decimal("60.00"), stock=10, default_image_url=picture("speaker", (40, 90, 200))
    )
    cable = SKUFactory(
        name="数据线", price=Decimal("45.00"), stock=10, default_image_url=picture("cable", (30, 160, 80))
    )

    # A guest is sent to log in first, and comes back to the coupons.
    page.goto("/coupon_center.html")
    card = page.locator(f".coupon-card[data-coupon-id='{coupon.id}']")
    expect(card.locator(".coupon-description")).to_have_text("满100减10")
    expect(card.locator(".coupon-remaining")).to_have_text("剩余 100 张")
    card.get_by_role("button", name="立即领取").click()
    page.wait_for_url("**/login.html?next=%2Fcoupon_center.html")

    log_in_page(page, member)
    page.goto("/cart.html")
    page.locator("#site-header").get_by_role("link", name="领券中心").click()
    page.wait_for_url("**/coupon_center.html")
    card.get_by_role("button", name="立即领取").click()
    expect(card.locator(".coupon-claimed")).to_have_text("已领 1 张")
    expect(card.locator(".coupon-remaining")).to_have_text("剩余 99 张")
    # The limit is two a member: the second claim is the last.
    card.get_by_role("button", name="立即领取").click()
    expect(card.locator(".coupon-claimed")).to_have_text("已领 2 张")
    expect(card.get_by_role("button", name="已领取")).to_be_disabled()
    copies = list(MemberCoupon.objects.filter(user=member, coupon=coupon).order_by("sequence"))
    assert [c.status for c in copies] == [MemberCoupon.Status.UNUSED] * 2

    # ¥120 of goods: the coupon brings them to ¥110, still over the ¥99 of free freight.
    fill_cart(member, {speaker.id: 2})
    page.goto("/place_order.html")
    block = page.locator("section.coupons")
    best = block.locator("li", has=page.locator(".tag.best"))
    expect(best.locator("input[name=coupon]")).to_be_checked()
    expect(best.locator(".coupon-description")).to_have_text("满100减10")
    expect(best.locator(".coupon-discount")).to_have_text("−¥10.00")
    expect(page.locator(".totals .goods-amount")).to_have_text("120.00")
    expect(page.locator(".totals .discount")).to_have_text("10.00")
    expect(page.locator(".totals .freight")).to_have_text("0.00")
    expect(page.locator(".totals .free-freight")).to_have_text("（满99元包邮）")
    expect(page.locator(".payment-amount")).to_have_text("110.00")
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth)")
    page.screenshot(path=screens_dir / "screen-place-order-coupon.jpg", type="jpeg", quality=70, full_page=True)

    # Without the coupon the shopper pays the ¥120, then takes it again.
    block.get_by_label("不使用优惠券").check()
    expect(page.locator(".totals .discount")).to_have_count(0)
    expect(page.locator(".payment-amount")).to_have_text("120.00")
    best.locator("input[name=coupon]").check()
    expect(page.locator(".payment-amount")).to_have_text("110.00")
    page.get_by_role("button", name="提交订单").click()

    page.wait_for_url("**/order_success.html?**")
    expect(page.locator(".amount")).to_have_text("110.00")
    first = OrderInfo.objects.get(user=member)
    assert (first.total_amount, first.discount, first.freight) == (Decimal("110.00"), Decimal("10.00"), Decimal("0"))
    assert MemberCoupon.objects.get(pk=first.coupon_id).status == MemberCoupon.Status.USED

    page.goto("/user_center_order.html")
    row = order_row(page, first)
    expect(row.locator(".goods-amount")).to_have_text("120.00")
    expect(row.locator(".discount-line")).to_contain_text("优惠 −¥10.00")
    expect(row.locator(".coupon-name")).to_have_text("店庆满减券")
    expect(row.locator("td.money")).to_contain_text("运费 ¥0.00")
    expect(row.locator(".total-amount")).to_have_text("110.00")

    # ¥90 of goods: the copy left is below its threshold, so none is offered, and the base freight is paid.
    fill_cart(member, {cable.id: 2})
    page.goto("/place_order.html")
    expect(page.locator("section.coupons .no-coupon")).to_have_text("暂无可用优惠券")
    expect(page.locator("input[name=coupon]")).to_have_count(0)
    expect(page.locator(".totals .freight")).to_have_text("10.00")
    expect(page.locator(".payment-amount")).to_have_text("100.00")
    page.get_by_role("button", name="提交订单").click()
    page.wait_for_url("**/order_success.html?**")
    second = OrderInfo.objects.filter(user=member).exclude(pk=first.pk).get()
    assert (second.total_amount, second.discount, second.coupon_id) == (Decimal("100.00"), Decimal("0"), None)

    page.goto("/user_center_order.html")
    row = order_row(page, second)
    expect(row.locator("td.money")).to_contain_text("运费 ¥10.00")
    expect(row.locator(".discount-line")).to_have_count(0)
    expect(row.locator(".total-amount")).to_have_text("100.00")
    fits_a_phone(page)

    page.locator("#user-center-menu").get_by_role("link", name="我的优惠券").click()
    page.wait_for_url("**/user_center_coupon.html")
    tabs = page.locator(".coupon-tabs")
    expect(tabs.locator("[data-status=usable] .count")).to_have_text("1")
    expect(tabs.locator("[data-status=used] .count")).to_have_text("1")
    expect(tabs.locator("[data-status=expired] .count")).to_have_text("0")
    tabs.locator("[data-status=used]").click()
    used = page.locator(f".coupon-card[data-member-coupon-id='{first.coupon_id}']")
    expect(used.locator(".coupon-state")).to_have_text("已使用")
    expect(used.locator(".coupon-order")).to_have_text(f"订单 {first.order_id}")
    assert page.url.endswith("?status=used")
    assert page_errors == []


def test_the_coupon_centre_shows_what_is_left_and_why_a_claim_is_refused(page, page_errors, member):
    gone = CouponFactory(name="已抢光的券", total_quantity=5, issued_count=5)
    limited = CouponFactory(
        name="手机九折券", kind=Coupon.Kind.PERCENT_OFF, threshold=Decimal("0"), amount=None, percent_off=10,
        max_discount=Decimal("50.00"), valid_from=None, valid_until=None, valid_days=7,
    )  # fmt: skip
    expired = MemberCoupon.objects.create(
        coupon=CouponFactory(name="上月的券"), user=member, sequence=1, source=MemberCoupon.Source.GRANTED,
        valid_from=timezone.now() - timedelta(days=30), valid_until=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    log_in_page(page, member)

    page.goto("/coupon_center.html")
    sold_out = page.locator(f".coupon-card[data-coupon-id='{gone.id}']")
    expect(sold_out.get_by_role("button", name="已领完")).to_be_disabled()
    card = page.locator(f".coupon-card[data-coupon-id='{limited.id}']")
    expect(card.locator(".coupon-description")).to_have_text("9折（最多减50）")
    expect(card.locator(".coupon-validity")).to_have_text("领取后 7 天内有效")
    # Claimed in another tab meanwhile: the shop's refusal is shown and the card reads as the shop has it.
    jwt_client(member).post(f"/coupons/{limited.id}/claim/")
    card.get_by_role("button", name="立即领取").click()
    expect(page.locator("#site-toast")).to_have_text("每人限领1张")
    expect(card.get_by_role("button", name="已领取")).to_be_disabled()
    expect(card.locator(".coupon-claimed")).to_have_text("已领 1 张")
    assert MemberCoupon.objects.filter(user=member, coupon=limited).count() == 1

    page.goto("/user_center_coupon.html")
    expect(page.locator(".coupon-tabs [data-status=usable] .count")).to_have_text("1")
    expect(page.locator(".coupon-tabs a.active")).to_contain_text("可使用")
    expect(page.locator(".coupon-card .coupon-name")).to_have_text(["手机九折券"])
    page.goto("/user_center_coupon.html?status=expired")
    card = page.locator(f".coupon-card[data-member-coupon-id='{expired.id}']")
    expect(card.locator(".coupon-state")).to_have_text("已过期")
    expect(page.locator(".coupon-tabs a.active")).to_contain_text("已过期")
    fits_a_phone(page)
    assert page_errors == []


def test_the_freight_follows_the_address_chosen_and_the_coupon_chosen_stays(page, page_errors, member, free_over_99):
    xinjiang, city, district = area_chain(
        ("650000", "新疆维吾尔自治区"), ("650100", "乌鲁木齐市"), ("650102", "天山区")
    )  # fmt: skip
    FreightSurcharge.objects.create(rule=free_over_99, province=xinjiang, fee=Decimal("20.00"))
    far = AddressFactory(user=member, receiver="李四", province=xinjiang, city=city, district=district)
    coupon = CouponFactory(threshold=Decimal("100.00"), amount=Decimal("10.00"))
    copy = MemberCoupon.objects.create(
        coupon=coupon, user=member, sequence=1, source=MemberCoupon.Source.GRANTED,
        valid_from=coupon.valid_from, valid_until=coupon.valid_until,
    )  # fmt: skip
    fill_cart(member, {SKUFactory(price=Decimal("120.00")).id: 1})
    log_in_page(page, member)

    page.goto("/place_order.html")
    expect(page.locator(".payment-amount")).to_have_text("110.00")
    page.get_by_label("不使用优惠券").check()
    expect(page.locator(".payment-amount")).to_have_text("120.00")
    page.locator("li", has_text="李四").locator("input[name=address]").check()
    # Remote: ¥20 on top even though the order ships free; the shopper's 不使用优惠券 stands.
    expect(page.locator(".totals .freight")).to_have_text("20.00")
    expect(page.locator(".payment-amount")).to_have_text("140.00")
    expect(page.get_by_label("不使用优惠券")).to_be_checked()
    page.locator(f"section.coupons li[data-member-coupon-id='{copy.id}'] input").check()
    expect(page.locator(".payment-amount")).to_have_text("130.00")
    page.get_by_role("button", name="提交订单").click()

    page.wait_for_url("**/order_success.html?**")
    expect(page.locator(".amount")).to_have_text("130.00")
    order = OrderInfo.objects.get(user=member)
    assert (order.address_id, order.freight, order.coupon_id) == (far.id, Decimal("20.00"), copy.id)
    assert page_errors == []


def test_a_coupon_used_meanwhile_is_refused_and_the_settlement_shown_again(page, page_errors, member, free_over_99):
    coupon = CouponFactory(name="只能用一次的券")
    copy = MemberCoupon.objects.create(
        coupon=coupon, user=member, sequence=1, source=MemberCoupon.Source.GRANTED,
        valid_from=coupon.valid_from, valid_until=coupon.valid_until,
    )  # fmt: skip
    fill_cart(member, {SKUFactory(price=Decimal("120.00")).id: 1})
    log_in_page(page, member)
    page.goto("/place_order.html")
    expect(page.locator(f"section.coupons li[data-member-coupon-id='{copy.id}'] input")).to_be_checked()
    expect(page.locator(".payment-amount")).to_have_text("110.00")

    # Another tab's order took the coupon while this page was open.
    with transaction.atomic():
        use_coupon(copy)
    alerts = []
    page.once("dialog", lambda dialog: (alerts.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="提交订单").click()
    expect(page.locator("section.coupons .no-coupon")).to_have_text("暂无可用优惠券")
    assert alerts == ["优惠券已使用"]
    assert not OrderInfo.objects.exists()
    expect(page.locator(".payment-amount")).to_have_text("120.00")

    page.get_by_role("button", name="提交订单").click()
    page.wait_for_url("**/order_success.html?**")
    expect(page.locator(".amount")).to_have_text("120.00")
    assert OrderInfo.objects.get(user=member).coupon_id is None
    assert page_errors == []
