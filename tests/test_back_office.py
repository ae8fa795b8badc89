from decimal import Decimal

import pytest

from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.dashboard import daily_order_figures
from tests.factories import DEFAULT_PASSWORD, AddressFactory, OrderFactory, UserFactory


def make_order(user, address, amount, status=OrderInfo.Status.UNSEND):
    return OrderFactory(
        user=user, address=address, total_amount=Decimal(amount), pay_method=OrderInfo.PayMethod.CASH, status=status
    )


@pytest.mark.django_db
def test_daily_figures_count_todays_orders_but_not_cancelled_ones():
    address = AddressFactory()
    make_order(address.user, address, "110.00")
    make_order(address.user, address, "20.50")
    make_order(address.user, address, "999.00", status=OrderInfo.Status.CANCELED)
    figures = daily_order_figures()
    assert len(figures) == 14
    assert figures[-1]["orders"] == 2
    assert figures[-1]["amount"] == Decimal("130.50")
    assert all(day["orders"] == 0 for day in figures[:-1])


@pytest.mark.django_db
def test_back_office_home_shows_figures_to_staff(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    address = AddressFactory(user=staff)
    make_order(staff, address, "110.00")
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "今日订单" in html and "¥110.00" in html
    assert "近14天销售额" in html


@pytest.mark.django_db
def test_back_office_refuses_shoppers(client):
    client.force_login(UserFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_logging_in_at_the_back_office_door_lands_on_the_dashboard(client):
    UserFactory(username="operator", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": "operator", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
