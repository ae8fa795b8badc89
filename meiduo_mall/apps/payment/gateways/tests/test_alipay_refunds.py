"""AlipayGateway's refunds through the real SDK, against a scripted Alipay openapi on a loopback port: how each
kind of Alipay answer reads, and that only an answer signed with Alipay's key counts."""

import time
from decimal import Decimal
from pathlib import Path

import pytest
from Cryptodome.PublicKey import RSA
from django.conf import settings as django_settings

from meiduo_mall.apps.payment.exceptions import RefundUnconfirmed
from meiduo_mall.apps.payment.gateways.alipay import AlipayGateway
from meiduo_mall.apps.payment.gateways.base import RefundResult
from meiduo_mall.apps.payment.gateways.keys import ensure_sandbox_keys, sandbox_gateway_private_key_path
from meiduo_mall.apps.payment.gateways.sandbox import _signed_by_app
from meiduo_mall.apps.payment.models import Payment
from tests.fakes.alipay_openapi import ScriptedAlipayOpenapi

ORDER_ID = "20261201120000000000000001"
TRADE_NO = "2026120122001400000000000001"
OTHER_KEY = RSA.generate(2048)


@pytest.fixture
def alipay(settings):
    """AlipayGateway talking to the scripted Alipay, which signs with the key whose public half the shop trusts."""
    ensure_sandbox_keys()
    fake = ScriptedAlipayOpenapi(RSA.import_key(Path(sandbox_gateway_private_key_path()).read_text())).start()
    settings.PAYMENT_GATEWAY = "meiduo_mall.apps.payment.gateways.alipay.AlipayGateway"
    settings.ALIPAY_URL = fake.url
    yield fake
    fake.stop()


def payment():
    return Payment(order_id=ORDER_ID, trade_id=TRADE_NO, amount=Decimal("110.00"))


def refund(amount="10.00", out_request_no="R1"):
    return AlipayGateway().refund(payment(), Decimal(amount), out_request_no, "取消订单")


def refund_answer(**fields):
    return {"code": "10000", "msg": "Success", "trade_no": TRADE_NO, "out_trade_no": ORDER_ID, **fields}


def test_a_refund_that_moved_money_succeeded_with_the_trade_as_reference(alipay):
    alipay.answer(refund_answer(fund_change="Y", refund_fee="10.00"))

    assert refund() == RefundResult("succeeded", gateway_reference=TRADE_NO, refunded_amount=Decimal("10.00"))

    (call,) = alipay.calls
    assert call["params"]["method"] == "alipay.trade.refund"
    assert call["biz"] == {
        "refund_amount": "10.00",
        "out_trade_no": ORDER_ID,
        "trade_no": TRADE_NO,
        "out_request_no": "R1",
        "refund_reason": "取消订单",
    }
    # Signed with the app's key, the way Alipay checks it.
    assert _signed_by_app(call["params"])["app_id"] == django_settings.ALIPAY_APPID


def test_a_repeat_without_fund_change_is_settled_by_the_query(alipay):
    alipay.answer(refund_answer(fund_change="N", refund_fee="10.00"))
    alipay.answer(refund_answer(out_request_no="R1", refund_amount="10.00", refund_status="REFUND_SUCCESS"))

    assert refund() == RefundResult("succeeded", gateway_reference=TRADE_NO, refunded_amount=Decimal("10.00"))
    assert [call["params"]["method"] for call in alipay.calls] == [
        "alipay.trade.refund",
        "alipay.trade.fastpay.refund.query",
    ]
    assert alipay.calls[1]["biz"] == {"out_request_no": "R1", "trade_no": TRADE_NO}


def test_no_fund_change_and_no_refund_found_yet_is_processing(alipay):
    alipay.answer(refund_answer(fund_change="N"))
    alipay.answer(refund_answer())

    assert refund().status == "processing"


@pytest.mark.parametrize(
    "fields",
    [
        {
            "code": "20000",
            "msg": "Service Currently Unavailable",
            "sub_code": "aop.ACQ.SYSTEM_ERROR",
            "sub_msg": "系统繁忙",
        },
        {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.SYSTEM_ERROR", "sub_msg": "系统错误"},
    ],
)
def test_a_system_error_leaves_the_refund_processing(alipay, fields):
    alipay.answer(fields)

    result = refund()

    assert (result.status, result.message) == ("processing", fields["sub_msg"])


def test_a_business_error_fails_the_refund_with_alipays_message(alipay):
    alipay.answer(
        {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST", "sub_msg": "交易不存在"}
    )

    assert refund() == RefundResult("failed", message="交易不存在")


def test_query_reads_a_made_refund_an_unknown_one_and_an_unknown_trade(alipay):
    gateway = AlipayGateway()
    alipay.answer(refund_answer(out_request_no="R1", refund_amount="10.00", refund_status="REFUND_SUCCESS"))
    alipay.answer(refund_answer(out_request_no="R2", refund_amount="5.00"))
    alipay.answer(refund_answer())
    alipay.answer(
        {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST", "sub_msg": "交易不存在"}
    )

    assert gateway.query_refund(payment(), "R1") == RefundResult(
        "succeeded", gateway_reference=TRADE_NO, refunded_amount=Decimal("10.00")
    )
    assert gateway.query_refund(payment(), "R2").refunded_amount == Decimal("5.00")
    assert gateway.query_refund(payment(), "R3").status == "not_found"
    assert gateway.query_refund(payment(), "R4") == RefundResult("not_found", message="交易不存在")


def test_a_refused_query_says_nothing_of_the_refund(alipay):
    alipay.answer(
        {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.INVALID_PARAMETER", "sub_msg": "参数无效"}
    )

    with pytest.raises(RefundUnconfirmed):
        AlipayGateway().query_refund(payment(), "R1")


@pytest.mark.parametrize(
    "answer",
    [
        {"key": OTHER_KEY},
        {"signed": False},
        {"raw": "<html>502 Bad Gateway</html>", "status": 502},
        {"raw": "not json"},
        {"raw": '{"alipay_trade_refund_response":{"code":"10000","fund_change":"Y"},"sign":"%%%"}'},
    ],
    ids=["forged", "unsigned", "http-error", "not-json", "bad-sign-text"],
)
def test_an_answer_alipay_did_not_sign_never_counts(alipay, answer):
    """A forged success (signed with another key) must not free anyone from checking: it raises, so the refund
    stays unconfirmed and is asked about again, never marked succeeded or failed on its word."""
    alipay.answer(refund_answer(fund_change="Y"), **answer)
    alipay.answer(refund_answer(out_request_no="R1", refund_amount="10.00"), **answer)

    with pytest.raises(RefundUnconfirmed):
        refund()
    with pytest.raises(RefundUnconfirmed):
        AlipayGateway().query_refund(payment(), "R1")


def test_a_slow_alipay_is_given_up_after_the_timeout(alipay, settings):
    settings.ALIPAY_API_TIMEOUT = 0.3
    alipay.answer(refund_answer(fund_change="Y"), delay=2)

    started = time.monotonic()
    with pytest.raises(RefundUnconfirmed):
        refund()
    assert time.monotonic() - started < 1.5


def test_the_timeout_is_a_few_seconds_by_default():
    assert 0 < django_settings.ALIPAY_API_TIMEOUT <= 10
