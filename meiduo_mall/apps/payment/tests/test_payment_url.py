import json
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.users.tokens import issue_jwt

pytestmark = pytest.mark.django_db


def payment_url(order_id):
    return f"/orders/{order_id}/payment/"


@override_settings(
    ALIPAY_URL="http://pay.example/gateway.do",
    FRONTEND_ORIGIN="http://shop.example",
    ALIPAY_NOTIFY_URL="http://shop.example/payment/notify/",
)
def test_owner_gets_a_signed_page_pay_url_with_the_database_amount(auth_client, make_order):
    order = make_order(total="1234.50")

    response = auth_client.get(payment_url(order.order_id))

    assert response.status_code == 200
    url = urlsplit(response.json()["alipay_url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "http://pay.example/gateway.do"
    params = dict(parse_qsl(url.query))
    assert params["method"] == "alipay.trade.page.pay"
    assert params["sign_type"] == "RSA2" and params["sign"]
    assert params["return_url"] == "http://shop.example/pay_success.html"
    assert params["notify_url"] == "http://shop.example/payment/notify/"
    biz = json.loads(params["biz_content"])
    assert biz["out_trade_no"] == order.order_id
    assert biz["total_amount"] == "1234.50"
    assert biz["subject"] == f"美多商城{order.order_id}"
    # Alipay closes the trade when the shop cancels the unpaid order (Beijing time, as Alipay reads it).
    deadline = order.create_time + timedelta(minutes=settings.UNPAID_ORDER_TIMEOUT_MINUTES)
    deadline = timezone.localtime(deadline, ZoneInfo("Asia/Shanghai"))
    assert biz["time_expire"] == f"{deadline:%Y-%m-%d %H:%M:%S}"


def test_the_gateway_page_accepts_the_signed_url(auth_client, api_client, order):
    """The URL's signature checks out against the app public key: the gateway shows the order."""
    alipay_url = auth_client.get(payment_url(order.order_id)).json()["alipay_url"]
    url = urlsplit(alipay_url)

    page = api_client.get(f"{url.path}?{url.query}")

    assert page.status_code == 200
    html = page.content.decode()
    assert f"美多商城{order.order_id}" in html
    assert "¥110.00" in html
    assert "付款" in html and "取消" in html


@pytest.mark.parametrize(
    "changes",
    [
        {"status": OrderInfo.Status.UNSEND},
        {"status": OrderInfo.Status.CANCELED},
        {"pay_method": OrderInfo.PayMethod.CASH, "status": OrderInfo.Status.UNSEND},
    ],
    ids=["already-paid", "cancelled", "cash-on-delivery"],
)
def test_only_unpaid_alipay_orders_can_be_paid(auth_client, make_order, changes):
    order = make_order(**changes)

    response = auth_client.get(payment_url(order.order_id))

    assert response.status_code == 400
    assert response.json() == {"message": "订单信息有误"}


def test_an_order_past_its_payment_deadline_is_refused(auth_client, order):
    placed = timezone.now() - timedelta(minutes=settings.UNPAID_ORDER_TIMEOUT_MINUTES + 1)
    OrderInfo.objects.filter(pk=order.pk).update(create_time=placed)

    response = auth_client.get(payment_url(order.order_id))

    assert response.status_code == 400
    assert response.json() == {"message": "订单信息有误"}


def test_another_members_order_is_refused(other_user, make_order):
    order = make_order()
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"JWT {issue_jwt(other_user)}")

    response = stranger.get(payment_url(order.order_id))

    assert response.status_code == 400
    assert response.json() == {"message": "订单信息有误"}
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.UNPAID


@pytest.mark.parametrize("order_id", ["20261123000000000000099", "9" * 300])
def test_unknown_order_ids_are_refused(auth_client, order_id):
    response = auth_client.get(payment_url(order_id))

    assert response.status_code == 400
    assert response.json() == {"message": "订单信息有误"}


def test_non_numeric_order_id_does_not_route(auth_client):
    assert auth_client.get(payment_url("abc")).status_code == 404


def test_anonymous_and_forged_tokens_get_401(api_client, order):
    assert api_client.get(payment_url(order.order_id)).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="JWT forged.token.value")
    assert api_client.get(payment_url(order.order_id)).status_code == 401


def test_asking_for_the_url_changes_nothing(auth_client, order):
    auth_client.get(payment_url(order.order_id))

    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNPAID
    assert order.total_amount == Decimal("110.00")
    assert not Payment.objects.exists()
