"""The built-in sandbox gateway end to end over HTTP: its notice reaches the live server."""

import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.payment.gateways import get_gateway
from meiduo_mall.apps.payment.models import Payment

GATEWAY = "/payment/sandbox/gateway/"
ALIPAY_GATEWAY = "meiduo_mall.apps.payment.gateways.alipay.AlipayGateway"


def gateway_query(auth_client, order):
    return urlsplit(auth_client.get(f"/orders/{order.order_id}/payment/").json()["alipay_url"]).query


@pytest.mark.django_db
def test_tampered_order_string_is_refused(auth_client, api_client, order):
    query = gateway_query(auth_client, order).replace("110.00", "0.01")

    for method in (api_client.get, api_client.post):
        response = method(f"{GATEWAY}?{query}")
        assert response.status_code == 400
        assert "签名验证失败" in response.content.decode()
    assert api_client.get(GATEWAY).status_code == 400
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.UNPAID


@pytest.mark.django_db
def test_an_expired_order_string_is_refused(api_client, order):
    url = get_gateway().page_pay_url(
        subject="美多商城",
        out_trade_no=order.order_id,
        total_amount="110.00",
        return_url="http://shop.example/pay_success.html",
        notify_url="",
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    query = urlsplit(url).query

    for method in (api_client.get, api_client.post):
        response = method(f"{GATEWAY}?{query}")
        assert response.status_code == 400
        assert "交易已超时关闭" in response.content.decode()
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.UNPAID


@pytest.mark.django_db
def test_gateway_is_gone_when_the_shop_uses_alipay_itself(auth_client, api_client, order):
    query = gateway_query(auth_client, order)
    with override_settings(PAYMENT_GATEWAY=ALIPAY_GATEWAY):
        assert api_client.get(f"{GATEWAY}?{query}").status_code == 404
        assert api_client.post(f"{GATEWAY}?{query}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_paying_notifies_the_shop_and_returns_the_buyer_with_signed_parameters(
    auth_client, api_client, order, live_server, settings
):
    settings.ALIPAY_NOTIFY_URL = f"{live_server.url}/payment/notify/"
    settings.FRONTEND_ORIGIN = live_server.url
    query = gateway_query(auth_client, order)

    response = api_client.post(f"{GATEWAY}?{query}")

    assert response.status_code == 302
    back = urlsplit(response["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{live_server.url}/pay_success.html"
    params = dict(parse_qsl(back.query))
    assert {
        "out_trade_no",
        "trade_no",
        "total_amount",
        "app_id",
        "seller_id",
        "timestamp",
        "method",
        "charset",
        "version",
        "auth_app_id",
        "sign",
        "sign_type",
    } == set(params)
    assert params["out_trade_no"] == order.order_id and params["total_amount"] == "110.00"
    # The notice went server to server before the redirect: the order is already paid.
    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNSEND
    assert Payment.objects.get().trade_id == params["trade_no"]

    status = api_client.put(f"/payment/status/?{back.query}", {}, format="json")

    assert status.status_code == 200
    assert status.json() == {"trade_id": params["trade_no"]}
    assert Payment.objects.count() == 1

    # Back in the browser history, the gateway refuses to take the money a second time.
    again = api_client.post(f"{GATEWAY}?{query}")
    assert again.status_code == 400
    assert "该订单已支付" in again.content.decode()
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_unreachable_notify_url_still_returns_the_buyer_who_confirms_the_payment(
    auth_client, api_client, order, settings
):
    settings.ALIPAY_NOTIFY_URL = "http://127.0.0.1:9/payment/notify/"

    response = api_client.post(f"{GATEWAY}?{gateway_query(auth_client, order)}")

    assert response.status_code == 302
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.UNPAID
    status = api_client.put(f"/payment/status/?{urlsplit(response['Location']).query}", {}, format="json")
    assert status.status_code == 200
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.UNSEND


@pytest.mark.django_db
def test_the_pay_button_needs_the_pages_csrf_token(auth_client, order, live_server, settings):
    settings.ALIPAY_NOTIFY_URL = f"{live_server.url}/payment/notify/"
    url = f"{GATEWAY}?{gateway_query(auth_client, order)}"
    browser = Client(enforce_csrf_checks=True)

    assert browser.post(url).status_code == 403
    assert OrderInfo.objects.get(pk=order.pk).status == OrderInfo.Status.UNPAID

    page = browser.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert browser.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
