from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.utils import timezone

from meiduo_mall.apps.carts.tests.fixtures import cart_of, fill_cart
from meiduo_mall.apps.goods.models import SKU, Goods
from meiduo_mall.apps.orders.exceptions import EmptySelection, InsufficientStock, UnableToPlaceOrder
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo
from meiduo_mall.apps.orders.services import place_order, refresh_goods_sales
from tests.factories import AddressFactory, GoodsFactory, OrderFactory, SKUFactory

pytestmark = pytest.mark.django_db

CASH, ALIPAY = OrderInfo.PayMethod.CASH, OrderInfo.PayMethod.ALIPAY


def post_order(client, address, pay_method=CASH):
    return client.post("/orders/", {"address": address.id, "pay_method": pay_method}, format="json")


def test_settlement_lists_selected_lines_with_database_prices(auth_client, user):
    cheap = SKUFactory(price=Decimal("9.90"))
    dear = SKUFactory(price=Decimal("11388.00"))
    unticked = SKUFactory()
    fill_cart(user, {dear.id: 2, cheap.id: 1, unticked.id: 5}, unselected={unticked.id})

    response = auth_client.get("/orders/settlement/")

    assert response.status_code == 200
    assert response.json() == {
        "freight": "10.00",
        "address": None,
        "goods_amount": "22785.90",
        "free_freight_over": None,
        "coupons": [],
        "best_coupon": None,
        "skus": [
            {
                "id": cheap.id,
                "name": cheap.name,
                "default_image_url": cheap.default_image_url,
                "price": "9.90",
                "count": 1,
            },
            {
                "id": dear.id,
                "name": dear.name,
                "default_image_url": dear.default_image_url,
                "price": "11388.00",
                "count": 2,
            },
        ],
    }


def test_settlement_and_placement_need_a_member(api_client, address):
    assert api_client.get("/orders/settlement/").status_code == 401
    assert post_order(api_client, address).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="JWT undefined")
    assert api_client.get("/orders/settlement/").status_code == 401


def test_cash_order_takes_stock_and_waits_for_shipment(auth_client, user, address, django_capture_on_commit_callbacks):
    goods = GoodsFactory()
    phone = SKUFactory(goods=goods, price=Decimal("100.00"), stock=10, sales=3)
    case = SKUFactory(goods=goods, price=Decimal("25.50"), stock=4)
    left_in_cart = SKUFactory()
    fill_cart(user, {phone.id: 2, case.id: 4, left_in_cart.id: 1}, unselected={left_in_cart.id})

    with django_capture_on_commit_callbacks(execute=True):
        response = post_order(auth_client, address, CASH)

    assert response.status_code == 201
    order = OrderInfo.objects.get(order_id=response.json()["order_id"])
    assert response.json()["total_amount"] == "312.00"
    assert (order.user, order.address, order.pay_method) == (user, address, CASH)
    assert order.status == OrderInfo.Status.UNSEND
    assert order.total_count == 6
    assert order.freight == Decimal("10.00")
    assert order.total_amount == Decimal("2") * 100 + 4 * Decimal("25.50") + 10
    assert sorted(order.skus.values_list("sku_id", "count", "price")) == [
        (phone.id, 2, Decimal("100.00")),
        (case.id, 4, Decimal("25.50")),
    ]
    phone.refresh_from_db()
    case.refresh_from_db()
    goods.refresh_from_db()
    assert (phone.stock, phone.sales) == (8, 5)
    assert (case.stock, case.sales) == (0, 4)
    # The SPU's sales are derived from its SKUs' off the hot path (beat, every minute).
    assert goods.sales == 0
    assert refresh_goods_sales() >= 1
    goods.refresh_from_db()
    assert goods.sales == 3 + 2 + 4
    assert cart_of(user) == ({left_in_cart.id: 1}, set())


def test_alipay_order_is_unpaid_and_pay_method_may_be_a_string(auth_client, user, address, sku):
    fill_cart(user, {sku.id: 1})

    response = auth_client.post("/orders/", {"address": str(address.id), "pay_method": "2"}, format="json")

    assert response.status_code == 201
    order = OrderInfo.objects.get(order_id=response.json()["order_id"])
    assert (order.pay_method, order.status) == (ALIPAY, OrderInfo.Status.UNPAID)


def test_order_id_is_local_time_and_user_id(user, address, sku):
    fill_cart(user, {sku.id: 1})
    before = timezone.localtime().strftime("%Y%m%d%H%M%S")

    order = place_order(user, address, CASH)

    after = timezone.localtime().strftime("%Y%m%d%H%M%S")
    assert order.order_id.isdigit() and len(order.order_id) == 23
    assert before <= order.order_id[:14] <= after
    assert order.order_id[14:] == f"{user.id:09d}"


def test_order_id_taken_within_the_same_second_gets_a_suffix(user, address, sku):
    now = timezone.localtime()
    taken = [(now + timedelta(seconds=s)).strftime("%Y%m%d%H%M%S") + f"{user.id:09d}" for s in range(3)]
    for order_id in taken:
        OrderFactory(order_id=order_id, user=user, address=address, status=OrderInfo.Status.FINISHED)
    fill_cart(user, {sku.id: 1})

    order = place_order(user, address, CASH)

    assert order.order_id[:23] in taken
    assert order.order_id[23:] == "01"
    assert order.skus.count() == 1


@pytest.mark.parametrize("lines", [1, 3])
def test_an_order_of_any_size_is_eight_queries(auth_client, user, address, lines, django_assert_num_queries):
    """Address, SKUs (before the transaction), the active freight rule (none here, so no surcharges read), BEGIN,
    order, its lines, one stock UPDATE for all lines, COMMIT."""
    skus = [SKUFactory() for _ in range(lines)]
    fill_cart(user, {s.id: 1 for s in skus})
    auth_client.get("/orders/settlement/")  # the member is now in the auth cache, as on any later request

    with django_assert_num_queries(8) as captured:
        response = post_order(auth_client, address)

    assert response.status_code == 201
    # The test's own transaction turns BEGIN and COMMIT into a savepoint and its release.
    statements = [query["sql"].split()[0] for query in captured.captured_queries]
    assert statements == ["SELECT", "SELECT", "SELECT", "SAVEPOINT", "INSERT", "INSERT", "UPDATE", "RELEASE"]
    assert OrderGoods.objects.filter(order_id=response.json()["order_id"]).count() == lines
    assert all(sku.stock == 9 for sku in SKU.objects.filter(pk__in=[s.pk for s in skus]))


def test_the_first_short_line_in_sku_id_order_is_named_and_nothing_is_taken(auth_client, user, address):
    first, short, last = SKUFactory(stock=5), SKUFactory(name="缺货款", stock=1), SKUFactory(name="也缺货", stock=0)
    fill_cart(user, {last.id: 1, short.id: 2, first.id: 1})

    response = post_order(auth_client, address)

    assert response.status_code == 400
    assert response.json() == ["缺货款 库存不足"]
    assert list(
        SKU.objects.filter(pk__in=[first.pk, short.pk, last.pk]).order_by("id").values_list("stock", "sales")
    ) == [
        (5, 0),
        (1, 0),
        (0, 0),
    ]
    assert not OrderInfo.objects.exists()


def test_a_buyer_refused_for_stock_that_reads_short_opens_no_transaction(
    auth_client, user, address, django_assert_num_queries
):
    sold_out = SKUFactory(name="售罄款", stock=0)
    fill_cart(user, {sold_out.id: 1})
    auth_client.get("/orders/settlement/")

    with django_assert_num_queries(2) as captured:  # the address and the SKU: no write, no row lock
        response = post_order(auth_client, address)

    assert response.json() == ["售罄款 库存不足"]
    assert [query["sql"].split()[0] for query in captured.captured_queries] == ["SELECT", "SELECT"]


def test_a_sold_sku_stays_protected_without_a_database_constraint(user, address, sku):
    fill_cart(user, {sku.id: 1})
    place_order(user, address, CASH)

    with pytest.raises(ProtectedError):
        sku.delete()


def test_insufficient_stock_is_a_bare_list_naming_the_sku_and_writes_nothing(auth_client, user, address):
    plenty = SKUFactory(stock=10)
    scarce = SKUFactory(name="华为 P60 黑色", stock=1)
    fill_cart(user, {plenty.id: 2, scarce.id: 2})

    response = post_order(auth_client, address)

    assert response.status_code == 400
    assert response.json() == ["华为 P60 黑色 库存不足"]
    assert not OrderInfo.objects.exists()
    assert not OrderGoods.objects.exists()
    plenty.refresh_from_db()
    scarce.refresh_from_db()
    assert (plenty.stock, plenty.sales, scarce.stock, scarce.sales) == (10, 0, 1, 0)
    assert Goods.objects.get(pk=plenty.goods_id).sales == 0
    assert cart_of(user) == ({plenty.id: 2, scarce.id: 2}, {plenty.id, scarce.id})


def test_place_order_raises_insufficient_stock(user, address):
    sku = SKUFactory(stock=0)
    fill_cart(user, {sku.id: 1})
    with pytest.raises(InsufficientStock) as raised:
        place_order(user, address, CASH)
    assert raised.value.sku == sku


def test_empty_selection_is_refused(auth_client, user, address, sku):
    response = post_order(auth_client, address)
    assert response.status_code == 400
    assert response.json() == ["购物车中没有勾选的商品"]

    fill_cart(user, {sku.id: 1}, unselected={sku.id})
    with pytest.raises(EmptySelection):
        place_order(user, address, CASH)
    assert not OrderInfo.objects.exists()


@pytest.mark.parametrize(
    "body, message",
    [
        ({"pay_method": 1}, "请选择收货地址"),
        ({"address": None, "pay_method": 1}, "请选择收货地址"),
        ({"address": "abc", "pay_method": 1}, "收货地址不存在"),
        ({"address": 10**30, "pay_method": 1}, "收货地址不存在"),
        ({"address": "ADDRESS", "pay_method": 3}, "支付方式无效"),
        ({"address": "ADDRESS", "pay_method": "alipay"}, "支付方式无效"),
        ({"address": "ADDRESS", "pay_method": [1]}, "支付方式无效"),
        ({"address": "ADDRESS"}, "请选择支付方式"),
    ],
)
def test_bad_placement_input_is_a_bare_list(auth_client, user, address, sku, body, message):
    fill_cart(user, {sku.id: 1})
    if body.get("address") == "ADDRESS":
        body["address"] = address.id

    response = auth_client.post("/orders/", body, format="json")

    assert response.status_code == 400
    assert response.json() == [message]
    assert not OrderInfo.objects.exists()
    sku.refresh_from_db()
    assert sku.stock == 10


def test_another_members_address_or_a_deleted_one_is_refused(auth_client, user, other_user, sku):
    fill_cart(user, {sku.id: 1})
    foreign = AddressFactory(user=other_user)
    deleted = AddressFactory(user=user, is_deleted=True)

    for address in (foreign, deleted):
        response = post_order(auth_client, address)
        assert response.status_code == 400
        assert response.json() == ["收货地址不存在"]
        with pytest.raises(UnableToPlaceOrder):
            place_order(user, address, CASH)
    assert not OrderInfo.objects.exists()


def test_a_withdrawn_sku_is_not_sold(auth_client, user, address):
    withdrawn = SKUFactory(name="停售商品", is_launched=False)
    fill_cart(user, {withdrawn.id: 1})

    assert auth_client.get("/orders/settlement/").json()["skus"] == []
    response = post_order(auth_client, address)

    assert response.status_code == 400
    assert response.json() == ["停售商品 已下架"]


def test_an_order_too_large_for_the_books_is_refused(auth_client, user, address):
    dear = SKUFactory(price=Decimal("60000000.00"))
    fill_cart(user, {dear.id: 2})

    response = post_order(auth_client, address)

    assert response.status_code == 400
    assert response.json() == ["订单金额超出上限，请分开下单"]
    dear.refresh_from_db()
    assert dear.stock == 10


def test_orders_are_written_at_read_committed():
    """The conditional stock UPDATE must see other buyers' committed rows, not an older snapshot."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@SESSION.tx_isolation")
        assert cursor.fetchone()[0] == "READ-COMMITTED"
