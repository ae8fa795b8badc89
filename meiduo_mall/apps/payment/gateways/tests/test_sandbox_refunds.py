"""Refunds through the real SDK against the built-in sandbox's openapi, over HTTP: what the sandbox refunds,
refuses and reports, and that it only serves requests our app signed."""

import json
import socket
import threading
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from alipay import AliPay
from Cryptodome.PublicKey import RSA
from django.test import Client

from meiduo_mall.apps.payment.exceptions import RefundUnconfirmed
from meiduo_mall.apps.payment.gateways import get_gateway
from meiduo_mall.apps.payment.gateways.keys import read_key
from meiduo_mall.apps.payment.gateways.sandbox import plan_refund, refunded_total, remember_paid_trade
from meiduo_mall.apps.payment.models import Payment

ORDER_ID = "20261201120000000000000001"
TRADE_NO = "2026120122001400000000000001"
OPENAPI = "/payment/sandbox/gateway.do"


@pytest.fixture
def paid(sandbox_openapi):
    """A 110.00 trade the sandbox took, and the shop's Payment of it (unsaved: the sandbox needs no database)."""
    payment = Payment(order_id=ORDER_ID, trade_id=TRADE_NO, amount=Decimal("110.00"))
    sandbox_openapi.knows_paid(payment)
    return payment


def refund(payment, amount, out_request_no="R1"):
    return get_gateway().refund(payment, Decimal(amount), out_request_no, "取消订单")


def test_a_refund_succeeds_with_the_trade_as_reference_and_the_query_confirms_it(paid):
    result = refund(paid, "110.00")

    assert (result.status, result.gateway_reference, result.refunded_amount) == (
        "succeeded",
        TRADE_NO,
        Decimal("110.00"),
    )
    assert refunded_total(ORDER_ID) == Decimal("110.00")
    found = get_gateway().query_refund(paid, "R1")
    assert (found.status, found.refunded_amount) == ("succeeded", Decimal("110.00"))


def test_the_same_out_request_no_twice_refunds_once(paid):
    assert refund(paid, "30.00").status == "succeeded"
    assert refund(paid, "30.00").status == "succeeded"

    assert refunded_total(ORDER_ID) == Decimal("30.00")


def test_partial_refunds_stop_at_what_the_trade_took(paid):
    assert refund(paid, "100.00", "R1").status == "succeeded"

    above = refund(paid, "10.01", "R2")

    assert (above.status, above.message) == ("failed", "退款金额超限")
    assert refund(paid, "10.00", "R3").status == "succeeded"
    assert refunded_total(ORDER_ID) == Decimal("110.00")
    assert get_gateway().query_refund(paid, "R2").status == "not_found"


def test_a_refund_of_a_trade_the_sandbox_never_took_fails(sandbox_openapi):
    stranger = Payment(order_id="20261201120000000000000099", trade_id="2026120122001400000000000099")

    assert refund(stranger, "1.00").status == "failed"
    assert get_gateway().query_refund(stranger, "R1").status == "not_found"


@pytest.mark.parametrize("planned_for", ["R1", ORDER_ID])
def test_a_planned_failure_refunds_nothing_once_and_the_retry_pays_once(paid, planned_for):
    plan_refund(planned_for, "fail")

    failed = refund(paid, "110.00")

    assert (failed.status, failed.message) == ("failed", "卖家余额不足")
    assert refunded_total(ORDER_ID) == Decimal("0.00")
    assert refund(paid, "110.00").status == "succeeded"
    assert refund(paid, "110.00").status == "succeeded"
    assert refunded_total(ORDER_ID) == Decimal("110.00")


def test_a_slow_refund_answers_processing_and_only_the_query_confirms_it(paid):
    plan_refund("R1", "slow")

    assert refund(paid, "50.00").status == "processing"

    found = get_gateway().query_refund(paid, "R1")
    assert (found.status, found.gateway_reference, found.refunded_amount) == ("succeeded", TRADE_NO, Decimal("50.00"))
    # Sent again in doubt: the same refund, not a second one.
    assert refund(paid, "50.00").status == "succeeded"
    assert refunded_total(ORDER_ID) == Decimal("50.00")


def test_query_of_an_unknown_out_request_no_is_not_found(paid):
    assert get_gateway().query_refund(paid, "NEVER-SENT").status == "not_found"


def test_two_refunds_at_once_never_pass_the_trade(paid):
    """Two operators' refunds of the whole trade, each under its own number, reach the sandbox together."""
    results = []
    start = threading.Barrier(4)

    def send(out_request_no):
        start.wait()
        results.append(refund(paid, "110.00", out_request_no).status)

    threads = [threading.Thread(target=send, args=(f"R{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["failed", "failed", "failed", "succeeded"]
    assert refunded_total(ORDER_ID) == Decimal("110.00")


@pytest.mark.django_db
def test_what_the_cashier_took_can_be_refunded(sandbox_openapi, auth_client, api_client, order, settings):
    settings.ALIPAY_NOTIFY_URL = closed_port_url()
    order_string = urlsplit(auth_client.get(f"/orders/{order.order_id}/payment/").json()["alipay_url"]).query

    paid_back = api_client.post(f"/payment/sandbox/gateway/?{order_string}")

    back = dict(parse_qsl(urlsplit(paid_back["Location"]).query))

    payment = Payment(order_id=order.order_id, trade_id=back["trade_no"], amount=order.total_amount)
    assert refund(payment, str(order.total_amount)).status == "succeeded"
    assert refunded_total(order.order_id) == order.total_amount


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/payment/sandbox/gateway.do"


def test_nothing_listening_leaves_the_refund_unconfirmed(settings):
    settings.SANDBOX_OPENAPI_URL = closed_port_url()
    payment = Payment(order_id=ORDER_ID, trade_id=TRADE_NO, amount=Decimal("110.00"))

    with pytest.raises(RefundUnconfirmed):
        refund(payment, "10.00")
    with pytest.raises(RefundUnconfirmed):
        get_gateway().query_refund(payment, "R1")


def test_an_unknown_plan_is_refused():
    with pytest.raises(ValueError):
        plan_refund("R1", "lost")


# The endpoint itself, as any caller reaches it.


def signed_request(biz, method="alipay.trade.refund"):
    """The parameters the SDK sends for one call, signed with the app's key."""
    client = get_gateway().client()
    return dict(parse_qsl(client.sign_data(client.build_body(method, biz))))


def answer_of(response, response_type="alipay_trade_refund_response"):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)[response_type]


def test_a_request_with_a_bad_app_signature_is_refused_unsigned_and_refunds_nothing(paid):
    good = signed_request({"refund_amount": "1.00", "out_trade_no": ORDER_ID, "out_request_no": "R1"})
    tampered = {**good, "biz_content": good["biz_content"].replace("1.00", "110.00")}

    for params in (tampered, {k: v for k, v in good.items() if k != "sign"}, {**good, "app_id": "2016000000000001"}):
        for send in (Client().get, Client().post):
            body = json.loads(send(OPENAPI, params).content)
            assert body["error_response"]["sub_code"] == "isv.invalid-signature"
            assert "sign" not in body
    assert refunded_total(ORDER_ID) == Decimal("0.00")


def test_an_app_with_another_key_gets_no_refund(paid, settings):
    stranger = AliPay(
        appid=settings.ALIPAY_APPID,
        app_private_key_string=RSA.generate(2048).export_key().decode(),
        alipay_public_key_string=read_key(settings.ALIPAY_PUBLIC_KEY_PATH),
    )
    stranger._gateway = settings.SANDBOX_OPENAPI_URL

    with pytest.raises(Exception, match="isv.invalid-signature"):
        stranger.api_alipay_trade_refund("110.00", out_trade_no=ORDER_ID, out_request_no="R1")
    assert refunded_total(ORDER_ID) == Decimal("0.00")


def test_the_sandbox_signs_its_answers_as_alipay_does(paid):
    response = Client().post(
        OPENAPI,
        urlencode(signed_request({"refund_amount": "1.00", "out_trade_no": ORDER_ID, "out_request_no": "R1"})),
        content_type="application/x-www-form-urlencoded",
    )

    client = get_gateway().client()
    text = response.content.decode()
    verified = client._verify_and_return_sync_response(text, "alipay_trade_refund_response")
    assert (verified["code"], verified["fund_change"], verified["refund_fee"]) == ("10000", "Y", "1.00")


@pytest.mark.parametrize(
    "biz",
    [
        {"refund_amount": "abc", "out_trade_no": ORDER_ID},
        {"refund_amount": "-1.00", "out_trade_no": ORDER_ID},
        {"refund_amount": "0.001", "out_trade_no": ORDER_ID},
        {"refund_amount": "NaN", "out_trade_no": ORDER_ID},
        {"refund_amount": "1.00", "out_trade_no": ORDER_ID, "out_request_no": "R" * 65},
        {"refund_amount": ["1.00"], "out_trade_no": {"a": 1}},
        {"refund_amount": "1.00"},
        {"refund_amount": "1.00", "out_trade_no": ORDER_ID, "trade_no": "2026120122001400000000000002"},
    ],
)
def test_bad_refund_parameters_are_refused_signed_and_refund_nothing(paid, biz):
    answer = answer_of(Client().get(OPENAPI, signed_request(biz)))

    assert answer["code"] in ("40002", "40004")
    assert answer["sub_msg"]
    assert refunded_total(ORDER_ID) == Decimal("0.00")


@pytest.mark.parametrize("biz_content", ["not json", "[1, 2]", "[" * 5000 + "]" * 5000, ""])
def test_a_biz_content_that_is_no_object_is_refused(paid, biz_content):
    params = signed_request(biz_content)

    assert answer_of(Client().get(OPENAPI, params))["code"] in ("40002", "40004")


def test_an_unknown_method_is_refused(paid):
    body = json.loads(Client().get(OPENAPI, signed_request({}, method="alipay.trade.pay")).content)

    assert body["error_response"]["sub_code"] == "isv.invalid-method"


def test_the_endpoint_is_gone_when_the_shop_uses_alipay_itself(paid, settings):
    params = signed_request({"refund_amount": "1.00", "out_trade_no": ORDER_ID})
    settings.PAYMENT_GATEWAY = "meiduo_mall.apps.payment.gateways.alipay.AlipayGateway"

    assert Client().get(OPENAPI, params).status_code == 404
    assert Client().post(OPENAPI, params).status_code == 404
    assert Client().put(OPENAPI).status_code == 404
    assert refunded_total(ORDER_ID) == Decimal("0.00")


def test_other_methods_are_not_allowed():
    assert Client().put(OPENAPI).status_code == 405


def test_a_trade_remembered_twice_keeps_its_refunds(paid):
    assert refund(paid, "110.00").status == "succeeded"
    remember_paid_trade(ORDER_ID, TRADE_NO, "110.00")

    assert refund(paid, "1.00", "R2").status == "failed"
