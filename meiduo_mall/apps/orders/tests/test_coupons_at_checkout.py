"""Coupons at the checkout (docs/api.md P1, P2): what the settlement offers, what the order is charged and how the
discount is shared over its lines, what a cancel gives back and what a returned unit refunds."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from meiduo_mall.apps.carts.tests.fixtures import cart_of, fill_cart
from meiduo_mall.apps.coupons.models import Coupon, MemberCoupon
from meiduo_mall.apps.coupons.scopes import forget_scopes
from meiduo_mall.apps.coupons.tests.fixtures import CouponFactory, MemberCouponFactory
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders import returns
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo, ReturnRequest
from meiduo_mall.apps.orders.services import cancel, cancel_expired_orders, cancel_order, place_order
from meiduo_mall.apps.payment.models import Payment
from tests.factories import CategoryFactory, GoodsFactory, SKUFactory, UserFactory, category_tree
from tests.races import rival_at

pytestmark = pytest.mark.django_db

CASH, ALIPAY = OrderInfo.PayMethod.CASH, OrderInfo.PayMethod.ALIPAY
Kind, Scope = Coupon.Kind, Coupon.Scope


def held(user, **coupon):
    """A copy of a new coupon (by default a public 满100减10 valid for 30 days) that `user` holds."""
    return MemberCouponFactory(user=user, coupon=CouponFactory(**coupon))


def post_order(client, address, coupon_id=None, pay_method=CASH, **extra):
    body = {"address": address.id, "pay_method": pay_method, **extra}
    if coupon_id is not None:
        body["coupon_id"] = coupon_id
    return client.post("/orders/", body, format="json")


def order_of(response):
    return OrderInfo.objects.get(order_id=response.json()["order_id"])


def status_of(member_coupon):
    return MemberCoupon.objects.values_list("status", flat=True).get(pk=member_coupon.pk)


def stocks(*skus):
    return list(SKU.objects.filter(pk__in=[s.pk for s in skus]).order_by("id").values_list("stock", "sales"))


# Each kind on its boundary ----------------------------------------------------------------------------------


def test_spend_and_save_at_exactly_its_threshold_takes_the_amount_off(auth_client, user, address):
    sku = SKUFactory(price=Decimal("50.00"), stock=5)
    fill_cart(user, {sku.id: 2})
    mine = held(user, threshold=Decimal("100.00"), amount=Decimal("10.00"))

    response = post_order(auth_client, address, mine.pk)

    assert response.status_code == 201
    order = order_of(response)
    assert response.json() == {
        "order_id": order.order_id,
        "total_amount": "100.00",
        "discount": "10.00",
        "freight": "10.00",
    }
    assert (order.discount, order.coupon_id, order.total_amount) == (Decimal("10.00"), mine.pk, Decimal("100.00"))
    assert status_of(mine) == MemberCoupon.Status.USED
    assert MemberCoupon.objects.get(pk=mine.pk).used_time is not None


def test_a_cent_below_the_threshold_is_refused_and_nothing_changes(auth_client, user, address):
    sku = SKUFactory(price=Decimal("99.99"), stock=5)
    fill_cart(user, {sku.id: 1})
    mine = held(user, threshold=Decimal("100.00"), amount=Decimal("10.00"))

    response = post_order(auth_client, address, mine.pk)

    assert response.status_code == 400
    assert response.json() == ["所选商品未满100元，不能使用该优惠券"]
    assert not OrderInfo.objects.exists()
    assert stocks(sku) == [(5, 0)]
    assert status_of(mine) == MemberCoupon.Status.UNUSED
    assert cart_of(user) == ({sku.id: 1}, {sku.id})


def test_percent_off_is_capped_by_its_max_discount(auth_client, user, address):
    sku = SKUFactory(price=Decimal("150.00"), stock=5)
    capped = held(
        user,
        kind=Kind.PERCENT_OFF,
        threshold=Decimal("200.00"),
        amount=None,
        percent_off=20,
        max_discount=Decimal("50.00"),
    )
    fill_cart(user, {sku.id: 2})

    response = post_order(auth_client, address, capped.pk)

    assert response.json()["discount"] == "50.00"  # 20% of 300.00 is 60.00, at most 50.00
    assert response.json()["total_amount"] == "260.00"


def test_percent_off_below_its_cap_takes_the_share_rounded_to_the_cent(auth_client, user, address):
    sku = SKUFactory(price=Decimal("200.01"), stock=5)
    nine_tenths = held(
        user,
        kind=Kind.PERCENT_OFF,
        threshold=Decimal("200.00"),
        amount=None,
        percent_off=10,
        max_discount=Decimal("50.00"),
    )
    fill_cart(user, {sku.id: 1})

    response = post_order(auth_client, address, nine_tenths.pk)

    assert response.json()["discount"] == "20.00"  # 20.001
    assert response.json()["total_amount"] == "190.01"


def test_no_threshold_never_takes_off_more_than_the_goods(auth_client, user, address):
    sku = SKUFactory(price=Decimal("3.00"), stock=5)
    five_off = held(user, kind=Kind.NO_THRESHOLD, threshold=Decimal("0"), amount=Decimal("5.00"))
    fill_cart(user, {sku.id: 1})

    response = post_order(auth_client, address, five_off.pk)

    assert response.status_code == 201
    assert response.json()["discount"] == "3.00"
    assert response.json()["total_amount"] == "10.00"  # the goods are free, the freight is not
    assert OrderGoods.objects.get(order_id=response.json()["order_id"]).discount == Decimal("3.00")


# Scope ------------------------------------------------------------------------------------------------------


def test_a_level_one_category_covers_a_sku_filed_three_levels_below_and_no_other(auth_client, user, address):
    phones = category_tree(("手机数码", "手机通讯", "手机"))
    books = category_tree(("图书", "小说", "科幻"))
    phone = SKUFactory(goods=GoodsFactory(tree=phones), price=Decimal("100.00"), stock=5)
    book = SKUFactory(goods=GoodsFactory(tree=books), price=Decimal("80.00"), stock=5)
    mine = held(user, scope=Scope.CATEGORIES, categories=[phones[0]], threshold=Decimal("100.00"))
    fill_cart(user, {phone.id: 1, book.id: 1})

    response = post_order(auth_client, address, mine.pk)

    assert response.status_code == 201
    order = order_of(response)
    assert order.discount == Decimal("10.00")
    shares = dict(OrderGoods.objects.filter(order=order).values_list("sku_id", "discount"))
    assert shares == {phone.id: Decimal("10.00"), book.id: Decimal("0.00")}


def test_lines_outside_the_scope_do_not_count_towards_the_threshold(auth_client, user, address):
    phones = category_tree(("手机数码", "手机通讯", "手机"))
    phone = SKUFactory(goods=GoodsFactory(tree=phones), price=Decimal("99.00"), stock=5)
    other = SKUFactory(price=Decimal("500.00"), stock=5)
    mine = held(user, scope=Scope.CATEGORIES, categories=[phones[2]], threshold=Decimal("100.00"))
    fill_cart(user, {phone.id: 1, other.id: 1})

    response = post_order(auth_client, address, mine.pk)

    assert response.json() == ["所选商品未满100元，不能使用该优惠券"]
    assert stocks(phone, other) == [(5, 0), (5, 0)]


def test_a_goods_coupon_for_goods_not_in_the_order_is_refused(auth_client, user, address):
    sku = SKUFactory(price=Decimal("300.00"), stock=5)
    mine = held(user, scope=Scope.GOODS, goods=[GoodsFactory()])
    fill_cart(user, {sku.id: 1})

    response = post_order(auth_client, address, mine.pk)

    assert response.json() == ["该优惠券不适用于所选商品"]
    assert status_of(mine) == MemberCoupon.Status.UNUSED


def test_a_goods_coupon_covers_every_sku_of_its_spu(auth_client, user, address):
    goods = GoodsFactory()
    black, white = (SKUFactory(goods=goods, price=Decimal("60.00"), stock=5) for _ in range(2))
    mine = held(user, scope=Scope.GOODS, goods=[goods])
    fill_cart(user, {black.id: 1, white.id: 1})

    response = post_order(auth_client, address, mine.pk)

    assert response.json()["discount"] == "10.00"
    assert sorted(OrderGoods.objects.values_list("discount", flat=True)) == [Decimal("5.00"), Decimal("5.00")]


def test_an_order_with_a_coupon_reads_the_coupon_once_and_uses_it_before_the_stock(
    auth_client, user, address, django_assert_num_queries
):
    """Address; the coupon (its scope is in the process's cache since the settlement); the SKUs; the freight
    rule; BEGIN; the coupon's conditional UPDATE; the order; its lines; the stock UPDATE; COMMIT."""
    skus = [SKUFactory(price=Decimal("60.00")) for _ in range(3)]
    fill_cart(user, {s.id: 1 for s in skus})
    mine = held(user, scope=Scope.CATEGORIES, categories=[skus[0].goods.category1, skus[1].goods.category2])
    auth_client.get("/orders/settlement/")  # the member is now in the auth cache, as on any later request

    with django_assert_num_queries(10) as captured:
        response = post_order(auth_client, address, mine.pk)

    assert response.json()["discount"] == "10.00"
    statements = [" ".join(query["sql"].split()[:2]) for query in captured.captured_queries]
    assert all(statement.startswith("SELECT") for statement in statements[:4])
    # The test's own transaction turns BEGIN and COMMIT into a savepoint and its release.
    assert statements[4].startswith("SAVEPOINT") and statements[9] == "RELEASE SAVEPOINT"
    assert statements[5:9] == ["UPDATE `tb_member_coupon`", "INSERT INTO", "INSERT INTO", "UPDATE `tb_sku`"]


# The coupons an order refuses, with nothing changed ----------------------------------------------------------


def expired(user):
    return held(user, valid_from=timezone.now() - timedelta(days=10), valid_until=timezone.now() - timedelta(minutes=1))


def used(user):
    return MemberCouponFactory(user=user, status=MemberCoupon.Status.USED, used_time=timezone.now())


def not_yet_valid(user):
    return held(user, valid_from=timezone.now() + timedelta(days=1), valid_until=timezone.now() + timedelta(days=5))


def others(user):
    return held(UserFactory())


@pytest.mark.parametrize(
    "make, message",
    [
        (expired, "优惠券已过期"),
        (used, "优惠券已使用"),
        (not_yet_valid, "优惠券尚未生效"),
        (others, "优惠券不存在"),
    ],
)
def test_a_coupon_the_member_cannot_use_refuses_the_order_and_changes_nothing(
    auth_client, user, address, make, message
):
    sku = SKUFactory(price=Decimal("200.00"), stock=5)
    fill_cart(user, {sku.id: 2})
    coupon = make(user)
    before = MemberCoupon.objects.values_list("pk", "status", "used_time").get(pk=coupon.pk)

    response = post_order(auth_client, address, coupon.pk)

    assert response.status_code == 400
    assert response.json() == [message]
    assert not OrderInfo.objects.exists()
    assert stocks(sku) == [(5, 0)]
    assert MemberCoupon.objects.values_list("pk", "status", "used_time").get(pk=coupon.pk) == before
    assert cart_of(user) == ({sku.id: 2}, {sku.id})


@pytest.mark.parametrize("coupon_id", ["abc", 0, -1, 1.5, True, [1], {"id": 1}, 2**63, "9" * 40])
def test_a_coupon_id_that_is_no_id_is_a_bare_list(auth_client, user, address, sku, coupon_id):
    fill_cart(user, {sku.id: 1})

    response = post_order(auth_client, address, coupon_id=coupon_id)

    assert response.status_code == 400
    assert response.json() == ["优惠券不存在"]
    assert not OrderInfo.objects.exists()


def test_an_unknown_coupon_id_is_refused(auth_client, user, address, sku):
    fill_cart(user, {sku.id: 1})

    assert post_order(auth_client, address, coupon_id=2**62).json() == ["优惠券不存在"]


def test_a_null_coupon_id_places_the_order_without_a_coupon(auth_client, user, address, sku):
    fill_cart(user, {sku.id: 1})
    mine = held(user, kind=Kind.NO_THRESHOLD, threshold=Decimal("0"), amount=Decimal("5.00"))

    response = auth_client.post(
        "/orders/", {"address": address.id, "pay_method": CASH, "coupon_id": None}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["discount"] == "0.00"
    assert order_of(response).coupon_id is None
    assert status_of(mine) == MemberCoupon.Status.UNUSED


def test_a_used_coupon_cannot_pay_a_second_order(auth_client, user, address):
    sku = SKUFactory(price=Decimal("120.00"), stock=5)
    mine = held(user)
    fill_cart(user, {sku.id: 1})
    assert post_order(auth_client, address, mine.pk).status_code == 201
    fill_cart(user, {sku.id: 1})

    response = post_order(auth_client, address, mine.pk)

    assert response.json() == ["优惠券已使用"]
    assert OrderInfo.objects.count() == 1
    assert stocks(sku) == [(4, 1)]


def test_the_same_idempotency_key_answers_the_placed_order_with_its_discount(auth_client, user, address):
    sku = SKUFactory(price=Decimal("120.00"), stock=5)
    mine = held(user)
    fill_cart(user, {sku.id: 1})
    key = {"HTTP_IDEMPOTENCY_KEY": "intent-1"}
    body = {"address": address.id, "pay_method": CASH, "coupon_id": mine.pk}

    first = auth_client.post("/orders/", body, format="json", **key)
    again = auth_client.post("/orders/", body, format="json", **key)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert first.json()["discount"] == "10.00"


# The discount over the lines, to the cent ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "prices, counts, discount",
    [
        (["33.33", "33.33", "33.33"], [1, 1, 1], "10.00"),
        (["33.33"], [3], "10.00"),
        (["0.01", "0.01", "99.98"], [1, 1, 1], "10.00"),
        (["19.99", "7.77", "3.33", "0.99", "123.45", "66.66", "1.01"], [3, 1, 7, 2, 1, 5, 9], "33.33"),
        ([f"{n}.{n:02d}" for n in range(1, 21)], list(range(1, 21)), "99.99"),
    ],
)
def test_the_line_shares_sum_to_the_discount_and_none_exceeds_its_line(
    auth_client, user, address, prices, counts, discount
):
    skus = [SKUFactory(price=Decimal(p), stock=50) for p in prices]
    fill_cart(user, {s.id: n for s, n in zip(skus, counts, strict=True)})
    mine = held(user, kind=Kind.NO_THRESHOLD, threshold=Decimal("0"), amount=Decimal(discount))

    response = post_order(auth_client, address, mine.pk)

    assert response.status_code == 201
    order = order_of(response)
    lines = list(OrderGoods.objects.filter(order=order))
    goods_amount = sum(line.price * line.count for line in lines)
    assert order.discount == Decimal(discount)
    assert sum(line.discount for line in lines) == order.discount
    assert all(Decimal("0") <= line.discount <= line.price * line.count for line in lines)
    assert order.total_amount == goods_amount - order.discount + order.freight


# Settlement ---------------------------------------------------------------------------------------------------


def test_settlement_offers_the_usable_coupons_the_best_first_then_by_discount(auth_client, user, address):
    sku = SKUFactory(price=Decimal("100.00"), stock=5)
    fill_cart(user, {sku.id: 3})
    small = held(user, name="满100减10", threshold=Decimal("100.00"), amount=Decimal("10.00"))
    big = held(user, name="满300减40", threshold=Decimal("300.00"), amount=Decimal("40.00"))
    percent = held(user, name="九五折", kind=Kind.PERCENT_OFF, threshold=Decimal("0"), amount=None, percent_off=5)
    held(user, name="满500减80", threshold=Decimal("500.00"), amount=Decimal("80.00"))  # too far
    held(user, scope=Scope.GOODS, goods=[GoodsFactory()])  # other goods
    expired(user)
    used(user)
    held(UserFactory())

    response = auth_client.get("/orders/settlement/")

    assert response.status_code == 200
    body = response.json()
    assert body["goods_amount"] == "300.00"
    assert body["freight"] == "10.00"
    assert [(c["id"], c["discount"], c["total_amount"], c["best"]) for c in body["coupons"]] == [
        (big.pk, "40.00", "270.00", True),
        (percent.pk, "15.00", "295.00", False),
        (small.pk, "10.00", "300.00", False),
    ]
    assert body["best_coupon"] == big.pk
    offered = body["coupons"][0]
    assert offered["name"] == "满300减40"
    assert offered["description"] == "满300减40"
    assert offered["status"] == "usable"
    assert offered["order_id"] is None
    assert offered["freight"] == "10.00"


def test_a_tie_on_total_goes_to_the_coupon_expiring_first(auth_client, user, address):
    sku = SKUFactory(price=Decimal("100.00"), stock=5)
    fill_cart(user, {sku.id: 1})
    later = held(user, valid_until=timezone.now() + timedelta(days=20))
    sooner = held(user, valid_until=timezone.now() + timedelta(days=2))

    body = auth_client.get("/orders/settlement/").json()

    assert [c["id"] for c in body["coupons"]] == [sooner.pk, later.pk]
    assert body["best_coupon"] == sooner.pk


def test_settlement_without_selected_lines_offers_no_coupon(auth_client, user):
    held(user, kind=Kind.NO_THRESHOLD, threshold=Decimal("0"), amount=Decimal("5.00"))

    body = auth_client.get("/orders/settlement/").json()

    assert (body["skus"], body["coupons"], body["best_coupon"], body["goods_amount"]) == ([], [], None, "0.00")


def test_settlement_reads_everything_in_a_few_queries_however_many_coupons_and_lines(
    auth_client, user, django_assert_num_queries
):
    """The default address (none here), the lines with their categories, the freight rule (none: no surcharges
    read), the member's coupons; their categories and SPUs once per process (coupons.scopes), so a query for
    each kind of scope on the first settlement and none after."""
    skus = [SKUFactory(price=Decimal("100.00")) for _ in range(4)]
    fill_cart(user, {s.id: 1 for s in skus})
    for n in range(6):
        held(user, scope=Scope.CATEGORIES, categories=[skus[n % 4].goods.category1, CategoryFactory()])
        held(user, scope=Scope.GOODS, goods=[skus[n % 4].goods])
    auth_client.get("/orders/settlement/")  # the member is now in the auth cache, as on any later request
    forget_scopes()

    with django_assert_num_queries(6):
        body = auth_client.get("/orders/settlement/").json()
    with django_assert_num_queries(4):
        auth_client.get("/orders/settlement/")

    assert len(body["coupons"]) == 12


def test_what_the_settlement_shows_is_what_the_order_is_charged(auth_client, user, address):
    skus = [SKUFactory(price=Decimal(p), stock=5) for p in ("45.50", "61.20")]
    fill_cart(user, {skus[0].id: 2, skus[1].id: 1})
    held(user, kind=Kind.PERCENT_OFF, threshold=Decimal("100.00"), amount=None, percent_off=15)

    offered = auth_client.get("/orders/settlement/").json()["coupons"][0]
    placed = post_order(auth_client, address, offered["id"]).json()

    assert (placed["discount"], placed["freight"], placed["total_amount"]) == (
        offered["discount"],
        offered["freight"],
        offered["total_amount"],
    )


# My orders ----------------------------------------------------------------------------------------------------


def test_my_orders_show_the_goods_amount_the_discount_and_the_coupons_name(auth_client, user, address):
    sku = SKUFactory(price=Decimal("60.00"), stock=5)
    mine = held(user, name="双十一满减券")
    fill_cart(user, {sku.id: 2})
    order_id = post_order(auth_client, address, mine.pk).json()["order_id"]

    shown = auth_client.get(f"/orders/{order_id}/").json()

    assert (shown["goods_amount"], shown["discount"], shown["freight"], shown["total_amount"]) == (
        "120.00",
        "10.00",
        "10.00",
        "120.00",
    )
    assert shown["coupon_name"] == "双十一满减券"
    assert auth_client.get("/orders/").json()["results"][0]["coupon_name"] == "双十一满减券"


# Cancels give the coupon back ---------------------------------------------------------------------------------


def placed_with_coupon(user, address, pay_method=ALIPAY, **coupon):
    sku = SKUFactory(price=Decimal("120.00"), stock=5)
    mine = held(user, **coupon)
    fill_cart(user, {sku.id: 1})
    return place_order(user, address, pay_method, coupon_id=mine.pk), mine


def test_the_buyers_cancel_gives_the_coupon_back(auth_client, user, address):
    order, mine = placed_with_coupon(user, address)

    assert auth_client.put(f"/orders/{order.order_id}/cancel/").status_code == 200

    assert status_of(mine) == MemberCoupon.Status.UNUSED
    assert MemberCoupon.objects.get(pk=mine.pk).used_time is None


def test_the_timeout_gives_the_coupon_back_once(user, address):
    order, mine = placed_with_coupon(user, address)
    OrderInfo.objects.filter(pk=order.pk).update(create_time=timezone.now() - timedelta(days=1))

    assert cancel_expired_orders() == 1
    assert status_of(mine) == MemberCoupon.Status.UNUSED
    # A second cancel finds the order cancelled already: it gives nothing back, and the coupon, used again by
    # another order meanwhile, stays used.
    MemberCoupon.objects.filter(pk=mine.pk).update(status=MemberCoupon.Status.USED)
    assert cancel(OrderInfo.objects.get(pk=order.pk)) is False
    assert status_of(mine) == MemberCoupon.Status.USED


def test_a_coupon_that_expired_meanwhile_stays_used(user, address):
    order, mine = placed_with_coupon(user, address)
    MemberCoupon.objects.filter(pk=mine.pk).update(valid_until=timezone.now() - timedelta(seconds=1))

    assert cancel(order) is True

    assert status_of(mine) == MemberCoupon.Status.USED


def test_the_cancel_of_a_paid_order_refunds_what_was_paid_and_gives_the_coupon_back(user, address):
    order, mine = placed_with_coupon(user, address)
    OrderInfo.objects.filter(pk=order.pk).update(status=OrderInfo.Status.UNSEND)
    Payment.objects.create(order=order, trade_id=f"T{order.order_id}", amount=order.total_amount)
    order.refresh_from_db()

    refund = cancel_order(order)

    assert refund.amount == Decimal("120.00")  # 120 − 10 + 10
    assert status_of(mine) == MemberCoupon.Status.UNUSED


def test_an_order_without_a_coupon_gives_none_back_on_cancel(user, address, sku):
    bystander = held(user)
    MemberCoupon.objects.filter(pk=bystander.pk).update(status=MemberCoupon.Status.USED)
    fill_cart(user, {sku.id: 1})

    assert cancel(place_order(user, address, ALIPAY)) is True

    assert status_of(bystander) == MemberCoupon.Status.USED


# Line refunds after a discount --------------------------------------------------------------------------------


def received(order):
    OrderInfo.objects.filter(pk=order.pk).update(status=OrderInfo.Status.UNCOMMENT, received_time=timezone.now())
    Payment.objects.create(order=order, trade_id=f"T{order.order_id}", amount=order.total_amount)
    order.refresh_from_db()
    return order


@pytest.mark.parametrize("parts", [[3], [1, 1, 1], [1, 2], [2, 1]])
def test_units_returned_in_any_parts_refund_exactly_what_was_paid_for_the_line(user, address, parts):
    sku = SKUFactory(price=Decimal("33.33"), stock=5)
    fill_cart(user, {sku.id: 3})
    mine = held(user, kind=Kind.NO_THRESHOLD, threshold=Decimal("0"), amount=Decimal("10.00"))
    order = received(place_order(user, address, ALIPAY, coupon_id=mine.pk))
    line = OrderGoods.objects.get(order=order)

    refunds = [
        returns.open_return(user, order, [(line.pk, n)], ReturnRequest.Reason.NO_REASON).refund_amount for n in parts
    ]

    assert sum(refunds) == Decimal("99.99") - Decimal("10.00")
    # Each unit refunds its price less a third of the line's share, give or take the cent of the rounding.
    assert all(
        abs(amount - n * (Decimal("33.33") - Decimal("10.00") / 3)) < Decimal("0.01")
        for amount, n in zip(refunds, parts, strict=True)
    )


def test_a_whole_return_for_the_sellers_fault_refunds_the_paid_goods_and_the_freight(user, address):
    skus = [SKUFactory(price=Decimal(p), stock=5) for p in ("70.00", "40.00")]
    fill_cart(user, {skus[0].id: 1, skus[1].id: 1})
    mine = held(user)
    order = received(place_order(user, address, ALIPAY, coupon_id=mine.pk))
    lines = [(line.pk, line.count) for line in OrderGoods.objects.filter(order=order)]

    request = returns.open_return(user, order, lines, ReturnRequest.Reason.DAMAGED)

    assert request.refund_amount == order.total_amount == Decimal("110.00")


def test_units_returned_one_return_after_another_are_priced_by_their_place_in_the_line(user, address):
    sku = SKUFactory(price=Decimal("10.00"), stock=5)
    fill_cart(user, {sku.id: 3})
    mine = held(user, kind=Kind.NO_THRESHOLD, threshold=Decimal("0"), amount=Decimal("1.00"))
    order = received(place_order(user, address, ALIPAY, coupon_id=mine.pk))
    line = OrderGoods.objects.get(order=order)

    amounts = [returns.open_return(user, order, [(line.pk, 1)], ReturnRequest.Reason.NO_REASON).refund_amount]
    rest = returns.open_return(user, order, [(line.pk, 2)], ReturnRequest.Reason.NO_REASON)

    assert amounts + [rest.refund_amount] == [Decimal("9.67"), Decimal("19.33")]


def test_a_return_that_claims_units_after_another_read_the_line_is_priced_by_their_true_place(user, address):
    """Another return claims a unit between this one's read of the line and its claim: the units are priced by
    where they really fall in the line, so the three units still refund exactly 3 × 1.00 − 0.02."""
    sku = SKUFactory(price=Decimal("1.00"), stock=5)
    fill_cart(user, {sku.id: 3})
    mine = held(user, kind=Kind.NO_THRESHOLD, threshold=Decimal("0"), amount=Decimal("0.02"))
    order = received(place_order(user, address, ALIPAY, coupon_id=mine.pk))
    line = OrderGoods.objects.get(order=order)

    def return_one():
        return returns.open_return(user, order, [(line.pk, 1)], ReturnRequest.Reason.NO_REASON)

    with rival_at(returns.return_lines_read, return_one) as rival:
        second = return_one()
    third = return_one()

    amounts = [rival[0].refund_amount, second.refund_amount, third.refund_amount]
    assert amounts == [Decimal("0.99"), Decimal("1.00"), Decimal("0.99")]
    assert sum(amounts) == Decimal("2.98")
