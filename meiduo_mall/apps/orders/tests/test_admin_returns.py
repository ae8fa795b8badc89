"""The returns queue of the back office: what 订单客服 reads, and the review and receipt it makes through
orders.returns; 数据分析 reads but moves nothing."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders import returns
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo, Refund, ReturnRequest
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.users.tests.fixtures import client_of, operator_in, shown_messages
from tests.factories import SKUFactory
from tests.races import rival_at

pytestmark = pytest.mark.django_db

Status = ReturnRequest.Status
Reason = ReturnRequest.Reason
LIST = "/admin/orders/returnrequest/"


def photo():
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(data, "PNG")
    return SimpleUploadedFile("p.png", data.getvalue(), content_type="image/png")


@pytest.fixture
def received(make_order):
    """make_received(): an Alipay order of two 耳机 at 100.00 and one 手机壳 at 30.50, paid and received
    yesterday; returns (order, headphones line, case line)."""

    def make(owner=None):
        order = make_order(owner, total="230.50", status=OrderInfo.Status.UNCOMMENT)
        OrderInfo.objects.filter(pk=order.pk).update(received_time=timezone.now() - timedelta(days=1))
        order.refresh_from_db()
        headphones = SKUFactory(name="降噪耳机", price=Decimal("100.00"), stock=5)
        case = SKUFactory(name="手机壳", price=Decimal("30.50"), stock=5)
        first = OrderGoods.objects.create(order=order, sku=headphones, count=2, price=headphones.price)
        second = OrderGoods.objects.create(order=order, sku=case, count=1, price=case.price)
        Payment.objects.create(order=order, trade_id=f"T{order.order_id}", amount=order.total_amount)
        return order, first, second

    return make


@pytest.fixture
def requested(user, received):
    """A return of one 耳机 without reason, with a photo, waiting for review."""
    order, headphones, _ = received()
    return returns.open_return(user, order, [(headphones.pk, 1)], Reason.NO_REASON, "不想要了", [photo()])


@pytest.fixture
def service():
    return operator_in("订单客服")


def sent_back(return_request, operator):
    returns.approve_return(return_request, operator, "")
    returns.send_back(return_request, return_request.user, "顺丰速运", "SF1234567")
    return return_request


def test_the_queue_lists_order_member_status_reason_refund_and_time(requested, service, user):
    page = client_of(service).get(LIST)
    html = page.content.decode()
    assert page.status_code == 200
    assert requested.order_id in html and user.username in html
    assert "待审核" in html and "7天无理由退货" in html and "¥100.00" in html


@pytest.mark.parametrize(
    ("query", "found"),
    [
        (f"status__exact={Status.REQUESTED}", True),
        (f"status__exact={Status.SENT_BACK}", False),
        (f"reason__exact={Reason.NO_REASON}", True),
        (f"reason__exact={Reason.QUALITY}", False),
        ("q={mobile}", True),
        ("q={username}", True),
        ("q={order_id}", True),
        ("q=没有这个订单", False),
    ],
)
def test_the_queue_filters_by_status_and_reason_and_finds_order_or_member(requested, service, user, query, found):
    query = query.format(mobile=user.mobile, username=user.username, order_id=requested.order_id)
    page = client_of(service).get(f"{LIST}?{query}")
    assert page.status_code == 200
    assert (requested in page.context["cl"].result_list) == found


@pytest.mark.parametrize("query", ["status__exact=abc", "reason__exact=99", "create_time__gte=not-a-date", "o=99"])
def test_the_queue_survives_bad_filters(requested, service, query):
    assert client_of(service).get(f"{LIST}?{query}").status_code in (200, 302)


def test_the_page_of_a_return_shows_lines_photos_timeline_and_only_the_review_steps(requested, service):
    page = client_of(service).get(f"{LIST}{requested.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "降噪耳机" in html and "¥100.00" in html and "不想要了" in html
    photo_url = requested.photos.get().image.url
    assert f'<a href="{photo_url}" target="_blank"' in html
    assert 'class="return-timeline"' in html and "提交退货申请" in html
    assert f"{LIST}{requested.pk}/approve/" in html and f"{LIST}{requested.pk}/reject/" in html
    assert f"{LIST}{requested.pk}/receive/" not in html
    # Read-only: nothing to save.
    assert not page.context["has_change_permission"]
    assert client_of(service).post(f"{LIST}{requested.pk}/change/", {"operator_note": "x"}).status_code == 403


def test_nobody_adds_or_deletes_a_return(requested):
    superuser = client_of(operator_in("订单客服", is_superuser=True))
    assert superuser.get(f"{LIST}add/").status_code == 403
    assert superuser.post(f"{LIST}{requested.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ReturnRequest.objects.filter(pk=requested.pk).exists()


def test_the_service_approves_from_the_page_with_a_note_and_it_is_recorded(requested, service):
    client = client_of(service)
    form = client.get(f"{LIST}{requested.pk}/approve/")
    assert form.status_code == 200 and "确认同意" in form.content.decode()
    response = client.post(f"{LIST}{requested.pk}/approve/", {"note": "请寄回原包装"})
    assert response.status_code == 302
    requested.refresh_from_db()
    assert (requested.status, requested.operator, requested.operator_note) == (Status.APPROVED, service, "请寄回原包装")
    assert f"已同意退货申请 {requested.pk}，已短信通知买家寄回" in shown_messages(response)
    entry = LogEntry.objects.get(object_id=str(requested.pk), user=service)
    assert entry.get_change_message() == "同意退货：请寄回原包装"
    timeline = client.get(f"{LIST}{requested.pk}/change/").content.decode()
    assert "同意退货" in timeline and "请寄回原包装" in timeline


def test_a_rejection_needs_its_reason_and_gives_the_units_back(requested, service):
    client = client_of(service)
    refused = client.post(f"{LIST}{requested.pk}/reject/", {"note": "  "})
    assert refused.status_code == 200
    assert "请填写拒绝原因" in refused.content.decode()
    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED

    assert client.post(f"{LIST}{requested.pk}/reject/", {"note": "已过保质期"}).status_code == 302
    requested.refresh_from_db()
    assert (requested.status, requested.operator_note) == (Status.REJECTED, "已过保质期")
    line = requested.lines.get().order_goods
    line.refresh_from_db()
    assert line.returned_count == 0
    assert LogEntry.objects.get(object_id=str(requested.pk)).get_change_message() == "拒绝退货：已过保质期"


def test_a_note_longer_than_the_field_is_refused(requested, service):
    response = client_of(service).post(f"{LIST}{requested.pk}/approve/", {"note": "长" * 201})
    assert response.status_code == 200
    assert "审核说明最多 200 个字" in response.content.decode()
    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED


def test_a_return_reviewed_meanwhile_is_not_reviewed_twice(requested, service):
    """The page was read while the return waited; another operator approves first; the POST finds it moved."""
    rival = operator_in("订单客服")

    def rival_approves():
        returns.approve_return(ReturnRequest.objects.get(pk=requested.pk), rival, "我先")

    with rival_at(returns.return_reviewing, rival_approves):
        response = client_of(service).post(f"{LIST}{requested.pk}/reject/", {"note": "不行"})
    assert response.status_code == 302
    assert f"退货申请 {requested.pk} 未处理：退货申请已被处理" in shown_messages(response)
    requested.refresh_from_db()
    assert (requested.status, requested.operator) == (Status.APPROVED, rival)
    assert not LogEntry.objects.filter(object_id=str(requested.pk), user=service).exists()
    # Reviewed: the page offers no review step anymore and a late POST is turned away.
    late = client_of(service).post(f"{LIST}{requested.pk}/approve/", {"note": ""})
    assert f"退货申请 {requested.pk} 不是待审核状态，未处理" in shown_messages(late)


def test_the_list_action_asks_one_note_then_approves_the_waiting_and_counts_the_rest(
    user, requested, received, service
):
    order, headphones, _ = received()
    other = returns.open_return(user, order, [(headphones.pk, 2)], Reason.QUALITY)
    third_order, _, case = received()
    done = returns.open_return(user, third_order, [(case.pk, 1)], Reason.OTHER)
    returns.reject_return(done, service, "重复申请")
    client = client_of(service)
    selected = [requested.pk, other.pk, done.pk]

    form = client.post(LIST, {"action": "approve", "_selected_action": selected})
    assert form.status_code == 200
    html = form.content.decode()
    assert f"退货申请 {requested.pk}" in html and f"退货申请 {other.pk}" in html
    assert f"退货申请 {done.pk}" not in html and "另有 1 个" in html

    response = client.post(LIST, {"action": "approve", "_selected_action": selected, "apply": "yes", "note": "同意"})
    assert response.status_code == 302
    assert shown_messages(response) == ["已同意 2 个退货申请，已短信通知买家寄回", "1 个退货申请未处理"]
    statuses = dict(ReturnRequest.objects.values_list("pk", "status"))
    assert (statuses[requested.pk], statuses[other.pk], statuses[done.pk]) == (
        Status.APPROVED,
        Status.APPROVED,
        Status.REJECTED,
    )
    assert LogEntry.objects.filter(user=service, change_message="同意退货：同意").count() == 2


def test_the_list_rejection_asks_its_reason(requested, service):
    client = client_of(service)
    response = client.post(LIST, {"action": "reject", "_selected_action": [requested.pk], "apply": "yes", "note": ""})
    assert response.status_code == 200
    assert "请填写拒绝原因" in response.content.decode()
    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED


def test_a_list_review_of_no_waiting_return_says_so(requested, service):
    returns.approve_return(requested, service, "")
    response = client_of(service).post(LIST, {"action": "approve", "_selected_action": [requested.pk]})
    assert response.status_code == 302
    assert shown_messages(response) == ["1 个退货申请不是待审核状态，未处理"]


def test_receiving_the_parcel_gives_stock_back_and_requests_the_refund(requested, service):
    sent_back(requested, service)
    sku = requested.lines.get().order_goods.sku
    stock = SKU.objects.get(pk=sku.pk).stock
    client = client_of(service)
    page = client.get(f"{LIST}{requested.pk}/change/").content.decode()
    assert f"{LIST}{requested.pk}/receive/" in page and f"{LIST}{requested.pk}/approve/" not in page
    assert "顺丰速运 SF1234567" in page
    confirm = client.get(f"{LIST}{requested.pk}/receive/")
    assert confirm.status_code == 200 and "¥100.00" in confirm.content.decode()

    response = client.post(f"{LIST}{requested.pk}/receive/")
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.status == Status.RECEIVED
    assert SKU.objects.get(pk=sku.pk).stock == stock + 1
    refund = Refund.objects.get(return_request=requested)
    assert (refund.amount, refund.operator, refund.status) == (Decimal("100.00"), service, Refund.Status.PENDING)
    assert f"退货申请 {requested.pk} 已确认收货，退款 ¥100.00 已发起" in shown_messages(response)
    entry = LogEntry.objects.get(object_id=str(requested.pk), user=service)
    assert entry.get_change_message() == f"确认收货，库存已退回，退款 ¥100.00（{refund.out_request_no}）"
    page = client.get(f"{LIST}{requested.pk}/change/").content.decode()
    assert "仓库收货" in page and refund.out_request_no in page
    timeline = page[page.index('class="return-timeline"') :]
    received_row = timeline[timeline.index("仓库收货") : timeline.index("</tr>", timeline.index("仓库收货"))]
    assert service.username in received_row


def test_the_list_receipt_refunds_the_sent_back_and_counts_the_rest(user, requested, received, service):
    sent_back(requested, service)
    order, headphones, _ = received()
    waiting = returns.open_return(user, order, [(headphones.pk, 1)], Reason.NO_REASON)
    response = client_of(service).post(LIST, {"action": "receive", "_selected_action": [requested.pk, waiting.pk]})
    assert response.status_code == 302
    assert shown_messages(response) == [
        "已确认收货 1 个退货申请，库存已退回，退款已发起",
        "1 个退货申请不是已寄回状态或不能退款，未处理",
    ]
    assert list(Refund.objects.values_list("return_request", flat=True)) == [requested.pk]


def test_a_receipt_the_payment_cannot_cover_is_refused_and_undone(requested, service):
    sent_back(requested, service)
    Payment.objects.filter(order_id=requested.order_id).update(refunded_amount=Decimal("200.00"))
    response = client_of(service).post(f"{LIST}{requested.pk}/receive/")
    assert f"退货申请 {requested.pk} 未处理：退款金额超过实付金额" in shown_messages(response)
    requested.refresh_from_db()
    assert requested.status == Status.SENT_BACK
    assert not Refund.objects.exists()


def test_analysts_read_the_queue_but_are_offered_and_allowed_no_step(requested):
    client = client_of(operator_in("数据分析"))
    page = client.get(LIST)
    assert page.status_code == 200
    # No action they may run: Django then draws no action bar at all.
    assert page.context["action_form"] is None
    change = client.get(f"{LIST}{requested.pk}/change/").content.decode()
    assert "降噪耳机" in change and f"{requested.pk}/approve/" not in change
    assert client.post(f"{LIST}{requested.pk}/approve/", {"note": ""}).status_code == 403
    assert client.post(f"{LIST}{requested.pk}/reject/", {"note": "不行"}).status_code == 403
    client.post(LIST, {"action": "approve", "_selected_action": [requested.pk], "apply": "yes", "note": ""})
    requested.refresh_from_db()
    assert requested.status == Status.REQUESTED


def test_catalog_operators_do_not_see_returns(requested):
    assert client_of(operator_in("商品运营")).get(LIST).status_code == 403


def test_the_steps_of_an_unknown_return_go_back_to_the_queue(service):
    client = client_of(service)
    for step in ("approve", "reject", "receive"):
        response = client.get(f"{LIST}999999/{step}/")
        assert response.status_code == 302, step
        assert response["Location"] == "/admin/"


def test_the_order_page_shows_its_returns_and_refunds(requested, service):
    sent_back(requested, service)
    refund = returns.receive_return(requested, service)
    html = client_of(service).get(f"/admin/orders/orderinfo/{requested.order_id}/change/").content.decode()
    assert f"{LIST}{requested.pk}/change/" in html
    assert f"/admin/orders/refund/{refund.pk}/change/" in html and "待退款" in html
