from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from celery_tasks.main import celery_app
from celery_tasks.orders.tasks import cancel_expired_orders, refresh_goods_sales
from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.goods.models import Goods
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.services import cancel, place_order
from tests.factories import AddressFactory, GoodsFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = OrderInfo.Status
CASH, ALIPAY = OrderInfo.PayMethod.CASH, OrderInfo.PayMethod.ALIPAY


def order_for(user, counts, pay_method=ALIPAY, address=None):
    fill_cart(user, counts)
    return place_order(user, address or AddressFactory(user=user), pay_method)


def set_status(order, status):
    OrderInfo.objects.filter(pk=order.pk).update(status=status)


def age(order, minutes):
    """Move the order's creation back in the database, as if it had been placed `minutes` ago."""
    OrderInfo.objects.filter(pk=order.pk).update(create_time=timezone.now() - timedelta(minutes=minutes))


def test_order_list_is_paginated_newest_first_in_the_order_shape(auth_client, user, other_user):
    sku = SKUFactory(price=Decimal("11388.00"))
    orders = [order_for(user, {sku.id: 1}) for _ in range(3)]
    for minutes, order in zip((30, 20, 10), orders, strict=True):
        age(order, minutes)
    order_for(other_user, {sku.id: 1})

    response = auth_client.get("/orders/", {"page": 1, "page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [o["order_id"] for o in body["results"]] == [orders[2].order_id, orders[1].order_id]
    newest = body["results"][0]
    created = timezone.localtime(OrderInfo.objects.get(pk=orders[2].pk).create_time)
    assert newest == {
        "order_id": orders[2].order_id,
        "create_time": created.strftime("%Y-%m-%d %H:%M"),
        "total_count": 1,
        "total_amount": "11398.00",
        "goods_amount": "11388.00",
        "discount": "0.00",
        "freight": "10.00",
        "coupon_name": "",
        "pay_method": 2,
        "status": 1,
        "carrier": "",
        "tracking_number": "",
        "shipped_time": None,
        "skus": [
            {
                "sku": {"id": sku.id, "name": sku.name, "default_image_url": sku.default_image_url},
                "count": 1,
                "price": "11388.00",
            }
        ],
        "refunds": [],
        "return_deadline": None,
    }
    assert auth_client.get("/orders_list/", {"page": 2, "page_size": 2}).json()["results"][0]["order_id"] == (
        orders[0].order_id
    )


def test_order_list_costs_the_same_queries_for_one_order_or_five(auth_client, user, django_assert_num_queries):
    skus = [SKUFactory() for _ in range(3)]
    order_for(user, {skus[0].id: 1})
    auth_client.get("/orders/")
    with django_assert_num_queries(4):  # count, page, lines with their SKUs, refunds
        auth_client.get("/orders/", {"page_size": 5})
    for _ in range(4):
        order_for(user, {s.id: 1 for s in skus})
    with django_assert_num_queries(4):
        response = auth_client.get("/orders/", {"page_size": 5})
    assert len(response.json()["results"]) == 5


def test_order_list_and_detail_need_a_member(api_client, user, sku):
    order = order_for(user, {sku.id: 1})
    assert api_client.get("/orders/").status_code == 401
    assert api_client.get(f"/orders/{order.order_id}/").status_code == 401


def test_order_detail_is_for_its_owner_only(auth_client, user, other_user, sku):
    mine = order_for(user, {sku.id: 1})
    theirs = order_for(other_user, {sku.id: 1})

    assert auth_client.get(f"/orders/{mine.order_id}/").json()["order_id"] == mine.order_id
    assert auth_client.get(f"/orders/{theirs.order_id}/").status_code == 404
    assert auth_client.get("/orders/123456789012345678901234567890/").status_code == 404


def test_buyer_cancels_an_unpaid_order_and_the_stock_comes_back(auth_client, user):
    goods = GoodsFactory()
    sku = SKUFactory(goods=goods, stock=5, sales=2)
    order = order_for(user, {sku.id: 3})
    sku.refresh_from_db()
    assert (sku.stock, sku.sales) == (2, 5)

    response = auth_client.put(f"/orders/{order.order_id}/cancel/")

    assert response.status_code == 200
    assert response.json() == {"order_id": order.order_id, "status": Status.CANCELED, "refund": None}
    sku.refresh_from_db()
    refresh_goods_sales.delay().get()
    goods.refresh_from_db()
    assert (sku.stock, sku.sales, goods.sales) == (5, 2, 2)
    again = auth_client.put(f"/orders/{order.order_id}/cancel/")
    assert again.status_code == 400
    assert again.json() == {"message": "订单当前不能取消"}
    sku.refresh_from_db()
    assert sku.stock == 5


@pytest.mark.parametrize("status", [Status.UNSEND, Status.UNRECEIVED, Status.UNCOMMENT, Status.FINISHED])
def test_only_unpaid_orders_can_be_cancelled(auth_client, user, sku, status):
    order = order_for(user, {sku.id: 1})
    set_status(order, status)

    response = auth_client.put(f"/orders/{order.order_id}/cancel/")

    assert response.status_code == 400
    assert OrderInfo.objects.get(pk=order.pk).status == status
    sku.refresh_from_db()
    assert sku.stock == 9


def test_nobody_cancels_another_members_order(auth_client, other_user, sku):
    theirs = order_for(other_user, {sku.id: 2})

    assert auth_client.put(f"/orders/{theirs.order_id}/cancel/").status_code == 404
    assert OrderInfo.objects.get(pk=theirs.pk).status == Status.UNPAID
    sku.refresh_from_db()
    assert sku.stock == 8


def test_cancel_gives_stock_back_once(user, sku):
    order = order_for(user, {sku.id: 4})
    assert cancel(order) is True
    assert cancel(OrderInfo.objects.get(pk=order.pk)) is False
    sku.refresh_from_db()
    assert (sku.stock, sku.sales) == (10, 0)


def test_timeout_task_cancels_only_unpaid_orders_past_the_timeout(user, other_user):
    goods = GoodsFactory()
    sku = SKUFactory(goods=goods, stock=20)
    timeout = settings.UNPAID_ORDER_TIMEOUT_MINUTES
    expired = order_for(user, {sku.id: 2})
    fresh = order_for(other_user, {sku.id: 3})
    paid_long_ago = order_for(UserFactory(), {sku.id: 4})
    cash_long_ago = order_for(UserFactory(), {sku.id: 5}, pay_method=CASH)
    age(expired, timeout + 1)
    age(fresh, timeout - 1)
    age(paid_long_ago, timeout * 10)
    set_status(paid_long_ago, Status.UNSEND)
    age(cash_long_ago, timeout * 10)

    assert cancel_expired_orders.delay().get() == 1

    statuses = dict(OrderInfo.objects.values_list("order_id", "status"))
    assert statuses == {
        expired.order_id: Status.CANCELED,
        fresh.order_id: Status.UNPAID,
        paid_long_ago.order_id: Status.UNSEND,
        cash_long_ago.order_id: Status.UNSEND,
    }
    sku.refresh_from_db()
    assert (sku.stock, sku.sales) == (20 - 3 - 4 - 5, 3 + 4 + 5)
    refresh_goods_sales.delay().get()
    assert Goods.objects.get(pk=goods.pk).sales == 12
    assert cancel_expired_orders.delay().get() == 0
    sku.refresh_from_db()
    assert sku.stock == 8


def test_timeout_task_is_registered_and_scheduled():
    scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "cancel_expired_orders" in scheduled
    assert "cancel_expired_orders" in celery_app.tasks


def test_sales_task_is_registered_and_scheduled():
    scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "refresh_goods_sales" in scheduled
    assert "refresh_goods_sales" in celery_app.tasks


def test_goods_sales_become_the_sum_of_their_skus_sales():
    phone, empty, right = GoodsFactory(sales=7), GoodsFactory(sales=3), GoodsFactory()
    SKUFactory(goods=phone, sales=10)
    SKUFactory(goods=phone, sales=5)
    SKUFactory(goods=right, sales=4)
    Goods.objects.filter(pk=right.pk).update(sales=4)

    assert refresh_goods_sales.delay().get() == 2

    assert dict(Goods.objects.filter(pk__in=[phone.pk, empty.pk, right.pk]).values_list("id", "sales")) == {
        phone.pk: 15,
        empty.pk: 0,
        right.pk: 4,
    }
    assert refresh_goods_sales.delay().get() == 0


def test_buyer_confirms_receipt_of_a_shipped_order(auth_client, user, other_user, sku):
    order = order_for(user, {sku.id: 1}, pay_method=CASH)
    url = f"/orders/{order.order_id}/receipt/"
    assert auth_client.put(url).status_code == 400  # not shipped yet

    set_status(order, Status.UNRECEIVED)
    response = auth_client.put(url)

    assert response.status_code == 200
    assert response.json() == {"order_id": order.order_id, "status": Status.UNCOMMENT}
    assert auth_client.put(url).json() == {"message": "订单当前不能确认收货"}

    theirs = order_for(other_user, {sku.id: 1}, pay_method=CASH)
    set_status(theirs, Status.UNRECEIVED)
    assert auth_client.put(f"/orders/{theirs.order_id}/receipt/").status_code == 404
    assert OrderInfo.objects.get(pk=theirs.pk).status == Status.UNRECEIVED
