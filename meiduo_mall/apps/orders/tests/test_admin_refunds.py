"""The refunds list of the back office: every refund as recorded, nobody types, edits or deletes one, and 订单客服
sends a failed one again (orders.services.retry_refund) under the same request number; with the sandbox, the
retried refund is paid once."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from meiduo_mall.apps.orders.models import OrderInfo, Refund
from meiduo_mall.apps.orders.services import refund_failed, request_refund
from meiduo_mall.apps.payment.gateways.sandbox import plan_refund
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.users.tests.fixtures import client_of, operator_in, shown_messages

pytestmark = pytest.mark.django_db

Status = Refund.Status
LIST = "/admin/orders/refund/"


@pytest.fixture
def paid(make_order):
    """An Alipay order of 110.00 waiting for shipment and the payment that took it."""
    order = make_order(status=OrderInfo.Status.UNSEND)
    return order, Payment.objects.create(order=order, trade_id=f"T{order.order_id}", amount=order.total_amount)


@pytest.fixture
def failed(paid):
    """A 110.00 refund the gateway refused; its claim on the payment given back."""
    order, payment = paid
    refund = request_refund(order, payment, Decimal("110.00"), "订单取消退款")
    refund_failed(refund, "卖家余额不足")
    return refund


@pytest.fixture
def service():
    return operator_in("订单客服")


def claimed(payment):
    payment.refresh_from_db()
    return payment.refunded_amount


def test_the_list_shows_amount_status_reason_reference_attempts_and_failure(failed, service):
    html = client_of(service).get(LIST).content.decode()
    assert failed.out_request_no in html and failed.order_id in html
    assert "¥110.00" in html and "退款失败" in html and "订单取消退款" in html and "卖家余额不足" in html


@pytest.mark.parametrize(
    ("query", "found"),
    [
        (f"status__exact={Status.FAILED}", True),
        (f"status__exact={Status.SUCCEEDED}", False),
        ("q={out_request_no}", True),
        ("q={order_id}", True),
        ("q=没有这笔退款", False),
    ],
)
def test_the_list_filters_by_status_and_finds_request_number_or_order(failed, service, query, found):
    query = query.format(out_request_no=failed.out_request_no, order_id=failed.order_id)
    page = client_of(service).get(f"{LIST}?{query}")
    assert page.status_code == 200
    assert (failed in page.context["cl"].result_list) == found


@pytest.mark.parametrize("query", ["status__exact=x", "create_time__gte=2026-13-45", "o=42", "q=%00"])
def test_the_list_survives_bad_filters(failed, service, query):
    assert client_of(service).get(f"{LIST}?{query}").status_code in (200, 302)


def test_nobody_adds_edits_or_deletes_a_refund_superusers_included(failed):
    for client in (client_of(operator_in("订单客服", is_superuser=True)), client_of(operator_in("订单客服"))):
        assert client.get(f"{LIST}add/").status_code == 403
        assert client.post(f"{LIST}{failed.pk}/change/", {"amount": "1.00"}).status_code == 403
        assert client.post(f"{LIST}{failed.pk}/delete/", {"post": "yes"}).status_code == 403
        client.post(LIST, {"action": "delete_selected", "_selected_action": [failed.pk], "post": "yes"})
        assert client.get(f"{LIST}{failed.pk}/change/").status_code == 200
    failed.refresh_from_db()
    assert (failed.amount, failed.status) == (Decimal("110.00"), Status.FAILED)


def test_the_service_sends_a_failed_refund_again_from_its_page(failed, paid, service):
    client = client_of(service)
    page = client.get(f"{LIST}{failed.pk}/change/").content.decode()
    assert f"{LIST}{failed.pk}/retry/" in page and "卖家余额不足" in page
    confirm = client.get(f"{LIST}{failed.pk}/retry/")
    assert confirm.status_code == 200 and "确认重新退款" in confirm.content.decode()
    failed.refresh_from_db()
    assert failed.status == Status.FAILED

    response = client.post(f"{LIST}{failed.pk}/retry/")
    assert response.status_code == 302
    assert f"退款 {failed.out_request_no} 已重新发起" in shown_messages(response)
    failed.refresh_from_db()
    assert (failed.status, failed.out_request_no) == (Status.PENDING, f"{failed.order_id}R01")
    assert claimed(paid[1]) == Decimal("110.00")
    assert LogEntry.objects.get(object_id=str(failed.pk), user=service).get_change_message() == ("重新发起退款 ¥110.00")
    # Pending again: no retry offered, and a second POST sends nothing.
    assert f"{LIST}{failed.pk}/retry/" not in client.get(f"{LIST}{failed.pk}/change/").content.decode()
    again = client.post(f"{LIST}{failed.pk}/retry/")
    assert f"退款 {failed.out_request_no} 不是退款失败状态，未处理" in shown_messages(again)
    assert claimed(paid[1]) == Decimal("110.00")


def test_the_list_action_retries_the_failed_and_counts_the_rest(failed, paid, service):
    order, payment = paid
    refund_failed(failed, "x")  # already failed: nothing moves
    Payment.objects.filter(pk=payment.pk).update(amount=Decimal("220.00"))
    pending = request_refund(order, payment, Decimal("10.00"), "部分退款")
    response = client_of(service).post(LIST, {"action": "retry", "_selected_action": [failed.pk, pending.pk]})
    assert response.status_code == 302
    assert shown_messages(response) == ["已重新发起 1 笔退款", "1 笔退款不是退款失败状态或不能重新发起，未处理"]
    assert dict(Refund.objects.values_list("pk", "status")) == {failed.pk: Status.PENDING, pending.pk: Status.PENDING}


def test_a_retry_the_payment_can_no_longer_cover_is_refused(failed, paid, service):
    order, payment = paid
    request_refund(order, payment, Decimal("100.00"), "退货退款")
    response = client_of(service).post(f"{LIST}{failed.pk}/retry/")
    assert f"退款 {failed.out_request_no} 未重新发起：退款金额超过实付金额" in shown_messages(response)
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
    assert claimed(payment) == Decimal("100.00")
    listed = client_of(service).post(LIST, {"action": "retry", "_selected_action": [failed.pk]})
    assert shown_messages(listed) == ["1 笔退款不是退款失败状态或不能重新发起，未处理：退款金额超过实付金额"]


def test_analysts_read_refunds_but_cannot_retry_one(failed, paid):
    client = client_of(operator_in("数据分析"))
    page = client.get(LIST)
    assert page.status_code == 200 and page.context["action_form"] is None
    assert f"{failed.pk}/retry/" not in client.get(f"{LIST}{failed.pk}/change/").content.decode()
    assert client.post(f"{LIST}{failed.pk}/retry/").status_code == 403
    client.post(LIST, {"action": "retry", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
    assert claimed(paid[1]) == 0


def test_catalog_operators_do_not_see_refunds(failed):
    assert client_of(operator_in("商品运营")).get(LIST).status_code == 403


def test_the_retry_of_an_unknown_refund_goes_back_to_the_index(service):
    assert client_of(service).post(f"{LIST}999999/retry/")["Location"] == "/admin/"


def test_a_refund_the_sandbox_refused_is_sent_again_from_the_back_office_and_pays_once(
    paid, service, sandbox_openapi, django_capture_on_commit_callbacks
):
    order, payment = paid
    sandbox_openapi.knows_paid(payment)
    plan_refund(order.order_id, "fail")
    with django_capture_on_commit_callbacks(execute=True):
        refund = request_refund(order, payment, Decimal("110.00"), "订单取消退款")
    refund.refresh_from_db()
    assert refund.status == Status.FAILED
    assert sandbox_openapi.refunded_total(order.order_id) == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(service).post(f"{LIST}{refund.pk}/retry/")
    assert response.status_code == 302
    refund.refresh_from_db()
    assert (refund.status, refund.attempts, refund.failure_reason) == (Status.SUCCEEDED, 2, "")
    assert refund.gateway_reference == payment.trade_id and refund.refunded_time is not None
    # Sent again from the list as well: it has not failed, so nothing goes to the gateway.
    with django_capture_on_commit_callbacks(execute=True):
        client_of(service).post(LIST, {"action": "retry", "_selected_action": [refund.pk]})
    assert sandbox_openapi.refunded_total(order.order_id) == Decimal("110.00")
    assert claimed(payment) == Decimal("110.00")
    page = client_of(service).get(f"{LIST}{refund.pk}/change/").content.decode()
    assert "已退款" in page and payment.trade_id in page
