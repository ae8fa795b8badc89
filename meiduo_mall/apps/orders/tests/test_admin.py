import pytest

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.services import place_order
from tests.factories import AddressFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = OrderInfo.Status


def placed(pay_method):
    user = UserFactory()
    sku = SKUFactory(name="导出用商品")
    fill_cart(user, {sku.id: 2})
    return place_order(user, AddressFactory(user=user), pay_method)


def test_ship_action_moves_orders_waiting_for_shipment_only(staff_client):
    waiting = placed(OrderInfo.PayMethod.CASH)
    unpaid = placed(OrderInfo.PayMethod.ALIPAY)

    response = staff_client.post(
        "/admin/orders/orderinfo/",
        {"action": "ship", "_selected_action": [waiting.pk, unpaid.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert OrderInfo.objects.get(pk=waiting.pk).status == Status.UNRECEIVED
    assert OrderInfo.objects.get(pk=unpaid.pk).status == Status.UNPAID
    assert "已发货 1 个订单" in response.content.decode()


def test_operators_find_an_order_and_see_its_lines(staff_client):
    order = placed(OrderInfo.PayMethod.CASH)

    listing = staff_client.get("/admin/orders/orderinfo/", {"q": order.user.username})
    detail = staff_client.get(f"/admin/orders/orderinfo/{order.pk}/change/")

    assert order.order_id in listing.content.decode()
    assert detail.status_code == 200
    assert "导出用商品" in detail.content.decode()


def test_orders_export_as_csv(staff_client):
    order = placed(OrderInfo.PayMethod.ALIPAY)

    response = staff_client.post(
        "/admin/orders/orderinfo/export/",
        {
            "format": "0",
            "resource": "0",
            "orderinfo_order_id": True,
            "orderinfo_username": True,
            "orderinfo_status": True,
            "orderinfo_total_amount": True,
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "订单号" in text
    assert order.order_id in text
    assert "待支付" in text
    assert "210.00" in text
