"""Freight (docs/api.md P1, P2): the newest active FreightRule with its remote-province surcharges, the 包邮
threshold on the goods after the coupon, the fee per extra unit, and ORDER_FREIGHT flat without a rule."""

from decimal import Decimal

import pytest

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.coupons.tests.fixtures import CouponFactory, MemberCouponFactory
from meiduo_mall.apps.orders.models import FreightRule, FreightSurcharge, OrderInfo
from tests.factories import AddressFactory, SKUFactory, UserFactory, area_chain

pytestmark = pytest.mark.django_db

CASH = OrderInfo.PayMethod.CASH


@pytest.fixture
def rule():
    """¥8, free from ¥99 of goods, ¥2 for each unit after the first, ¥15 more to 新疆."""
    rule = FreightRule.objects.create(
        name="标准运费", base_fee=Decimal("8.00"), free_over=Decimal("99.00"), per_item_fee=Decimal("2.00")
    )
    FreightSurcharge.objects.create(rule=rule, province=xinjiang()[0], fee=Decimal("15.00"))
    return rule


def xinjiang():
    return area_chain(("650000", "新疆维吾尔自治区"), ("650100", "乌鲁木齐市"), ("650102", "天山区"))


def remote_address(user):
    province, city, district = xinjiang()
    return AddressFactory(user=user, province=province, city=city, district=district)


def place(client, address, coupon_id=None):
    body = {"address": address.id, "pay_method": CASH}
    if coupon_id is not None:
        body["coupon_id"] = coupon_id
    response = client.post("/orders/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def settlement(client, address=None):
    response = client.get("/orders/settlement/", {} if address is None else {"address": address.id})
    assert response.status_code == 200, response.json()
    return response.json()


def test_without_an_active_rule_every_order_pays_the_flat_freight(auth_client, user, address):
    FreightRule.objects.create(name="停用", base_fee=Decimal("1.00"), is_active=False)
    sku = SKUFactory(price=Decimal("500.00"))
    fill_cart(user, {sku.id: 3})

    shown = settlement(auth_client, address)
    placed = place(auth_client, address)

    assert (shown["freight"], shown["free_freight_over"]) == ("10.00", None)
    assert (placed["freight"], placed["total_amount"]) == ("10.00", "1510.00")


@pytest.mark.parametrize(
    "price, count, freight",
    [
        ("99.00", 1, "0.00"),  # exactly the threshold ships free
        ("98.99", 1, "8.00"),  # a cent below pays the base fee
        ("30.00", 3, "12.00"),  # 90.00: the base fee and two more units
        ("33.00", 3, "0.00"),  # 99.00: free, whatever the number of units
    ],
)
def test_the_rule_charges_by_the_goods_amount_and_the_units(auth_client, user, address, rule, price, count, freight):
    sku = SKUFactory(price=Decimal(price), stock=10)
    fill_cart(user, {sku.id: count})

    shown = settlement(auth_client, address)
    placed = place(auth_client, address)

    assert shown["freight"] == placed["freight"] == freight
    assert shown["free_freight_over"] == "99.00"
    assert Decimal(placed["total_amount"]) == Decimal(price) * count + Decimal(freight)


def test_a_remote_province_pays_its_surcharge_even_when_the_order_ships_free(auth_client, user, rule):
    far = remote_address(user)
    sku = SKUFactory(price=Decimal("120.00"))
    fill_cart(user, {sku.id: 1})

    assert settlement(auth_client, far)["freight"] == "15.00"
    assert place(auth_client, far)["freight"] == "15.00"


def test_the_surcharge_adds_to_the_base_fee_below_the_threshold(auth_client, user, address, rule):
    far = remote_address(user)
    sku = SKUFactory(price=Decimal("20.00"))
    fill_cart(user, {sku.id: 2})

    assert settlement(auth_client, address)["freight"] == "10.00"
    assert settlement(auth_client, far)["freight"] == "25.00"
    assert place(auth_client, far)["total_amount"] == "65.00"


def test_the_threshold_compares_the_goods_after_the_coupon(auth_client, user, address, rule):
    sku = SKUFactory(price=Decimal("105.00"))
    fill_cart(user, {sku.id: 1})
    ten_off = MemberCouponFactory(user=user, coupon=CouponFactory(threshold=Decimal("100.00")))

    shown = settlement(auth_client, address)
    placed = place(auth_client, address, ten_off.pk)

    assert shown["freight"] == "0.00"  # 105.00 without the coupon
    assert [(c["discount"], c["freight"], c["total_amount"]) for c in shown["coupons"]] == [
        ("10.00", "8.00", "103.00")  # 95.00 after it: below 99.00
    ]
    assert (placed["discount"], placed["freight"], placed["total_amount"]) == ("10.00", "8.00", "103.00")


def test_exactly_the_threshold_after_the_coupon_still_ships_free(auth_client, user, address, rule):
    sku = SKUFactory(price=Decimal("109.00"))
    fill_cart(user, {sku.id: 1})
    ten_off = MemberCouponFactory(user=user, coupon=CouponFactory(threshold=Decimal("100.00")))

    assert place(auth_client, address, ten_off.pk)["freight"] == "0.00"


def test_the_best_coupon_is_the_lowest_total_freight_included(auth_client, user, address, rule):
    """A smaller discount that keeps the order free of freight beats a larger one that does not."""
    sku = SKUFactory(price=Decimal("104.00"))
    fill_cart(user, {sku.id: 1})
    five_off = MemberCouponFactory(user=user, coupon=CouponFactory(threshold=Decimal("100.00"), amount=Decimal("5")))
    eight_off = MemberCouponFactory(user=user, coupon=CouponFactory(threshold=Decimal("100.00"), amount=Decimal("8")))

    shown = settlement(auth_client, address)

    assert [(c["id"], c["total_amount"], c["best"]) for c in shown["coupons"]] == [
        (five_off.pk, "99.00", True),  # 99.00 ships free
        (eight_off.pk, "104.00", False),  # 96.00 + 8.00
    ]
    assert shown["best_coupon"] == five_off.pk


def test_the_newest_active_rule_applies(auth_client, user, address, rule):
    FreightRule.objects.create(name="新规则", base_fee=Decimal("6.00"), free_over=None)
    FreightRule.objects.create(name="更新但停用", base_fee=Decimal("1.00"), is_active=False)
    sku = SKUFactory(price=Decimal("500.00"))
    fill_cart(user, {sku.id: 1})

    shown = settlement(auth_client, address)

    assert (shown["freight"], shown["free_freight_over"]) == ("6.00", None)


def test_settlement_prices_for_the_default_address_unless_one_is_named(auth_client, user, address, rule):
    far = remote_address(user)
    user.default_address = far
    user.save(update_fields=["default_address"])
    sku = SKUFactory(price=Decimal("20.00"))
    fill_cart(user, {sku.id: 1})

    by_default = settlement(auth_client)
    named = settlement(auth_client, address)

    assert (by_default["address"], by_default["freight"]) == (far.id, "23.00")
    assert (named["address"], named["freight"]) == (address.id, "8.00")


def test_settlement_without_any_address_charges_no_surcharge(auth_client, user, rule):
    sku = SKUFactory(price=Decimal("20.00"))
    fill_cart(user, {sku.id: 1})

    shown = settlement(auth_client)

    assert (shown["address"], shown["freight"]) == (None, "8.00")


def test_a_deleted_default_address_is_no_address(auth_client, user, address):
    user.default_address = address
    user.save(update_fields=["default_address"])
    address.is_deleted = True
    address.save()

    assert settlement(auth_client)["address"] is None


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", " 1", "", str(2**63), "١"])
def test_settlement_refuses_an_address_that_is_no_id(auth_client, user, address, value):
    response = auth_client.get("/orders/settlement/", {"address": value})

    assert response.status_code == 400
    assert response.json() == {"message": "收货地址不存在"}


def test_settlement_refuses_another_members_or_a_deleted_address(auth_client, user):
    others = AddressFactory(user=UserFactory())
    deleted = AddressFactory(user=user, is_deleted=True)

    for address in (others, deleted):
        response = auth_client.get("/orders/settlement/", {"address": address.id})
        assert (response.status_code, response.json()) == (400, {"message": "收货地址不存在"})
