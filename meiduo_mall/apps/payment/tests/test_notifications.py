"""Alipay's notice (POST /payment/notify/) and the browser return (PUT /payment/status/)."""

from urllib.parse import urlencode

import pytest
from django.test import override_settings

from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.payment.gateways.tests.alipay_messages import (
    TRADE_NO,
    sign_with_app_key,
    signed_notice,
    signed_return,
)
from meiduo_mall.apps.payment.models import Payment

pytestmark = pytest.mark.django_db


def post_notice(client, params):
    """Alipay posts form-encoded; the reply body is the whole answer."""
    response = client.post("/payment/notify/", urlencode(params), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def put_return(client, params):
    return client.put(f"/payment/status/?{urlencode(params)}", {}, format="json")


def assert_unpaid(order):
    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNPAID
    assert not Payment.objects.exists()


def test_good_notice_marks_the_order_paid(api_client, order):
    assert post_notice(api_client, signed_notice(order, trade_no=TRADE_NO)) == "success"

    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNSEND
    payment = Payment.objects.get()
    assert (payment.order_id, payment.trade_id) == (order.order_id, TRADE_NO)


def test_trade_finished_notice_also_counts(api_client, order):
    assert post_notice(api_client, signed_notice(order, trade_status="TRADE_FINISHED")) == "success"

    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNSEND


def test_duplicate_notice_gives_one_payment_and_one_transition(api_client, order, payment_log):
    notice = signed_notice(order, trade_no=TRADE_NO)
    assert post_notice(api_client, notice) == "success"
    # The back office ships meanwhile; a late copy of the notice must not touch the order again.
    OrderInfo.objects.filter(pk=order.pk).update(status=OrderInfo.Status.UNRECEIVED)

    assert post_notice(api_client, notice) == "success"
    assert post_notice(api_client, signed_notice(order, trade_no=TRADE_NO, trade_status="TRADE_FINISHED")) == "success"

    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNRECEIVED
    assert Payment.objects.count() == 1
    assert [r.getMessage() for r in payment_log.records if "paid by alipay" in r.getMessage()] == [
        f"order {order.order_id} paid by alipay trade {TRADE_NO}"
    ]
    assert not [r for r in payment_log.records if r.levelname == "WARNING"]


def test_bad_signature_fails(api_client, order, payment_log):
    tampered = {**signed_notice(order), "total_amount": "0.01"}
    garbage = {**signed_notice(order), "sign": "bm90IGEgc2lnbmF0dXJl"}
    not_base64 = {**signed_notice(order), "sign": "%%%"}
    unsigned = {k: v for k, v in signed_notice(order).items() if k != "sign"}
    wrong_type = {**signed_notice(order), "sign_type": "RSA"}

    for notice in (tampered, garbage, not_base64, unsigned, wrong_type):
        assert post_notice(api_client, notice) == "fail"

    assert_unpaid(order)
    assert len([r for r in payment_log.records if "rejected" in r.getMessage()]) == 5


def test_notice_signed_with_the_app_key_instead_of_alipays_fails(api_client, order):
    params = dict(signed_notice(order))
    params.pop("sign")
    params.pop("sign_type")
    assert post_notice(api_client, {**params, "sign": sign_with_app_key(params), "sign_type": "RSA2"}) == "fail"
    assert_unpaid(order)


def test_wrong_amount_fails(api_client, order):
    assert post_notice(api_client, signed_notice(order, total_amount="0.01")) == "fail"
    assert post_notice(api_client, signed_notice(order, total_amount="110.01")) == "fail"
    assert post_notice(api_client, signed_notice(order, total_amount="abc")) == "fail"
    assert_unpaid(order)


def test_wrong_app_id_fails(api_client, order):
    assert post_notice(api_client, signed_notice(order, app_id="2016999999999999")) == "fail"
    assert_unpaid(order)


@override_settings(ALIPAY_SELLER_ID="2088111111111111")
def test_seller_id_is_checked_when_configured(api_client, order):
    assert post_notice(api_client, signed_notice(order, seller_id="2088000000000000")) == "fail"
    assert_unpaid(order)
    assert post_notice(api_client, signed_notice(order, seller_id="2088111111111111")) == "success"


def test_unknown_order_fails(api_client, order):
    assert post_notice(api_client, signed_notice(order, out_trade_no="20261123000000000000099")) == "fail"
    assert_unpaid(order)


@pytest.mark.parametrize("trade_status", ["WAIT_BUYER_PAY", "TRADE_CLOSED", ""])
def test_unpaid_trade_statuses_fail(api_client, order, trade_status):
    assert post_notice(api_client, signed_notice(order, trade_status=trade_status)) == "fail"
    assert_unpaid(order)


def test_bad_trade_numbers_fail(api_client, order):
    assert post_notice(api_client, signed_notice(order, trade_no="")) == "fail"
    assert post_notice(api_client, signed_notice(order, trade_no="9" * 101)) == "fail"
    assert_unpaid(order)


def test_a_trade_number_of_another_order_fails(api_client, make_order):
    first, second = make_order(), make_order()
    assert post_notice(api_client, signed_notice(first, trade_no=TRADE_NO)) == "success"

    assert post_notice(api_client, signed_notice(second, trade_no=TRADE_NO)) == "fail"

    second.refresh_from_db()
    assert second.status == OrderInfo.Status.UNPAID
    assert Payment.objects.count() == 1


def test_empty_or_json_notice_fails(api_client, order):
    assert post_notice(api_client, {}) == "fail"
    response = api_client.post("/payment/notify/", signed_notice(order), format="json")
    assert response.content == b"fail"
    assert_unpaid(order)


def test_notice_only_accepts_post(api_client):
    assert api_client.get("/payment/notify/").status_code == 405


def test_notice_for_a_cancelled_order_is_logged_for_refund(api_client, make_order, payment_log):
    order = make_order(status=OrderInfo.Status.CANCELED)

    # `success`: the notice is genuine and handled (logged for a refund); `fail` would only make
    # Alipay resend it for a day with the same outcome.
    assert post_notice(api_client, signed_notice(order, trade_no=TRADE_NO)) == "success"

    order.refresh_from_db()
    assert order.status == OrderInfo.Status.CANCELED
    assert list(Payment.objects.values_list("order_id", "trade_id", "refund_needed")) == [
        (order.order_id, TRADE_NO, True)
    ]
    refund = [r for r in payment_log.records if r.levelname == "WARNING" and "REFUND" in r.getMessage()]
    assert len(refund) == 1
    assert TRADE_NO in refund[0].getMessage() and order.order_id in refund[0].getMessage()


def test_second_trade_for_a_paid_order_is_logged_for_refund(api_client, order, payment_log):
    assert post_notice(api_client, signed_notice(order, trade_no=TRADE_NO)) == "success"

    assert post_notice(api_client, signed_notice(order, trade_no="2026112322001400000000000002")) == "success"

    assert list(Payment.objects.order_by("id").values_list("trade_id", "refund_needed")) == [
        (TRADE_NO, False),
        ("2026112322001400000000000002", True),
    ]
    assert any("REFUND" in r.getMessage() and "0000000002" in r.getMessage() for r in payment_log.records)


def test_a_repeated_notice_for_a_cancelled_order_flags_the_money_once(api_client, make_order, payment_log):
    order = make_order(status=OrderInfo.Status.CANCELED)
    notice = signed_notice(order, trade_no=TRADE_NO)

    assert post_notice(api_client, notice) == "success"
    assert post_notice(api_client, notice) == "success"
    assert put_return(api_client, signed_return(order, trade_no=TRADE_NO)).status_code == 400

    assert list(Payment.objects.values_list("trade_id", "refund_needed")) == [(TRADE_NO, True)]
    assert len([r for r in payment_log.records if "REFUND" in r.getMessage()]) == 1


def test_logs_hold_no_keys_or_buyer_data(api_client, order, payment_log):
    notice = signed_notice(order, buyer_logon_id="buyer@example.com", buyer_id="2088102177846875")
    post_notice(api_client, {**notice, "total_amount": "1.00"})
    post_notice(api_client, signed_notice(order))

    text = "\n".join(r.getMessage() for r in payment_log.records)
    assert notice["sign"][:40] not in text
    assert "buyer@example.com" not in text and "2088102177846875" not in text
    assert "PRIVATE KEY" not in text


def test_return_marks_the_order_paid_and_answers_the_trade_id(api_client, order):
    response = put_return(api_client, signed_return(order, trade_no=TRADE_NO))

    assert response.status_code == 200
    assert response.json() == {"trade_id": TRADE_NO}
    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNSEND
    assert Payment.objects.get().trade_id == TRADE_NO


def test_notice_after_the_return_changes_nothing_more(api_client, order):
    assert put_return(api_client, signed_return(order, trade_no=TRADE_NO)).status_code == 200

    assert post_notice(api_client, signed_notice(order, trade_no=TRADE_NO)) == "success"

    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNSEND
    assert Payment.objects.count() == 1


def test_return_after_the_notice_answers_the_same_trade_id(api_client, order):
    assert post_notice(api_client, signed_notice(order, trade_no=TRADE_NO)) == "success"

    response = put_return(api_client, signed_return(order, trade_no=TRADE_NO))

    assert response.status_code == 200
    assert response.json() == {"trade_id": TRADE_NO}
    assert Payment.objects.count() == 1


def test_return_ignores_an_expired_token(api_client, order):
    api_client.credentials(HTTP_AUTHORIZATION="JWT undefined")
    assert put_return(api_client, signed_return(order)).status_code == 200


@pytest.mark.parametrize(
    "forge",
    [
        lambda p: {**p, "total_amount": "0.01"},
        lambda p: {**p, "sign": "bm90IGEgc2lnbmF0dXJl"},
        lambda p: {k: v for k, v in p.items() if k != "sign"},
        lambda p: {},
    ],
    ids=["tampered", "garbage-signature", "unsigned", "empty"],
)
def test_forged_return_is_403(api_client, order, forge):
    response = put_return(api_client, forge(signed_return(order)))

    assert response.status_code == 403
    assert response.json() == {"message": "非法请求"}
    assert_unpaid(order)


@pytest.mark.parametrize(
    "overrides",
    [{"app_id": "2016999999999999"}, {"total_amount": "1.00"}, {"out_trade_no": "20261123000000000000099"}],
    ids=["wrong-app", "wrong-amount", "unknown-order"],
)
def test_signed_but_wrong_return_is_403(api_client, order, overrides):
    response = put_return(api_client, signed_return(order, **overrides))

    assert response.status_code == 403
    assert_unpaid(order)


def test_return_in_the_body_instead_of_the_query_is_403(api_client, order):
    response = api_client.put("/payment/status/", signed_return(order), format="json")

    assert response.status_code == 403
    assert_unpaid(order)


def test_return_for_a_cancelled_order_is_400_and_flags_the_money_for_refund(api_client, make_order):
    order = make_order(status=OrderInfo.Status.CANCELED)

    response = put_return(api_client, signed_return(order))

    assert response.status_code == 400
    assert response.json()["message"]
    order.refresh_from_db()
    assert order.status == OrderInfo.Status.CANCELED
    assert Payment.objects.get().refund_needed
