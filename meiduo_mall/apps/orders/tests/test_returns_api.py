"""The returns API (docs/api.md, "Returns"): the member's form, their returns with a timeline, the parcel."""

import json
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meiduo_mall.apps.orders import returns, services
from meiduo_mall.apps.orders.models import OrderGoods, Refund, ReturnRequest
from meiduo_mall.apps.orders.tests.test_returns import line_of, photo, received_order
from meiduo_mall.apps.users.tests.fixtures import jwt_client, operator_in
from tests.factories import GoodsFactory, SKUFactory

pytestmark = pytest.mark.django_db

Reason = ReturnRequest.Reason


@pytest.fixture
def phone():
    return SKUFactory(price=Decimal("100.00"), stock=10)


@pytest.fixture
def bought(user, phone):
    """The member's order of two phones and one tea (not returnable without reason), received yesterday."""
    tea = SKUFactory(goods=GoodsFactory(returnable=False), price=Decimal("25.00"))
    return received_order(user, {phone: 2, tea: 1}), tea


def form(lines, reason=Reason.QUALITY, description="屏幕有划痕", photos=()):
    return {"lines": json.dumps(lines), "reason": str(reason), "description": description, "photos": list(photos)}


def nothing_returned(order):
    return not ReturnRequest.objects.filter(order=order).exists() and not OrderGoods.objects.filter(
        order=order, returned_count__gt=0
    )


def test_a_member_returns_one_line_with_photos_by_a_multipart_form(auth_client, bought, phone):
    order, _ = bought
    lines = [{"order_goods": line_of(order, phone).pk, "count": 1}]

    response = auth_client.post(
        f"/orders/{order.order_id}/returns/",
        form(lines, photos=[photo("JPEG"), photo("PNG")]),
        format="multipart",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["order_id"] == order.order_id
    assert (body["status"], body["status_name"], body["reason"], body["reason_name"]) == (1, "待审核", 2, "质量问题")
    assert body["refund_amount"] == "100.00"
    assert body["lines"] == [
        {
            "sku": {"id": phone.id, "name": phone.name, "default_image_url": phone.default_image_url},
            "count": 1,
            "amount": "100.00",
        }
    ]
    assert body["refund"] is None
    assert [step["status_name"] for step in body["timeline"]] == ["待审核"]
    assert len(body["photos"]) == 2
    for url in body["photos"]:
        served = auth_client.get(urlparse(url).path)
        assert served.status_code == 200
        assert b"".join(served.streaming_content)[:3] in (b"\xff\xd8\xff", b"\x89PN")
    for saved in ReturnRequest.objects.get().photos.all():
        default_storage.delete(saved.image.name)


def test_the_same_return_is_taken_as_json(auth_client, bought, phone):
    order, _ = bought
    body = {"lines": [{"order_goods": line_of(order, phone).pk, "count": 2}], "reason": Reason.NO_REASON}

    response = auth_client.post(f"/orders/{order.order_id}/returns/", body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["refund_amount"] == "200.00"
    assert line_of(order, phone).returned_count == 2


@pytest.mark.parametrize(
    "lines, message",
    [
        ([], "请选择要退货的商品"),
        ([{"order_goods": "LINE", "count": 3}], "最多可退2件"),
        ([{"order_goods": "LINE", "count": -1}], "退货数量无效"),
        ([{"order_goods": "LINE", "count": "两"}], None),
        ([{"order_goods": "LINE"}], None),
        ([{"order_goods": "LINE", "count": 1}] * 101, "退货商品过多"),
        ("[[[[", "退货商品格式有误"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_returned(auth_client, bought, phone, lines, message):
    order, _ = bought
    text = json.dumps(lines).replace('"LINE"', str(line_of(order, phone).pk)) if lines != "[[[[" else lines

    response = auth_client.post(
        f"/orders/{order.order_id}/returns/", {"lines": text, "reason": "2"}, format="multipart"
    )

    assert response.status_code == 400, response.content
    assert response.json()["message"] and (message or "") in response.json()["message"]
    assert nothing_returned(order)


def test_missing_fields_and_a_wrong_reason_are_refused(auth_client, bought, phone):
    order, _ = bought
    url = f"/orders/{order.order_id}/returns/"
    lines = json.dumps([{"order_goods": line_of(order, phone).pk, "count": 1}])

    assert auth_client.post(url, {}, format="multipart").json()["message"] == "请选择要退货的商品"
    assert auth_client.post(url, {"lines": lines}, format="multipart").json()["message"] == "请选择退货原因"
    assert auth_client.post(url, {"lines": lines, "reason": "99"}, format="multipart").status_code == 400
    too_long = {"lines": lines, "reason": "2", "description": "长" * 501}
    assert auth_client.post(url, too_long, format="multipart").json()["message"] == "问题描述不能超过500个字"
    assert nothing_returned(order)


def test_tea_is_refused_without_reason_and_taken_for_quality(auth_client, bought):
    order, tea = bought
    lines = [{"order_goods": line_of(order, tea).pk, "count": 1}]
    url = f"/orders/{order.order_id}/returns/"

    refused = auth_client.post(url, form(lines, Reason.NO_REASON), format="multipart")
    assert refused.status_code == 400
    assert "该商品不支持7天无理由退货" in refused.json()["message"]

    assert auth_client.post(url, form(lines, Reason.QUALITY), format="multipart").status_code == 201


def test_photos_past_three_or_not_images_are_refused(auth_client, bought, phone):
    order, _ = bought
    lines = [{"order_goods": line_of(order, phone).pk, "count": 1}]
    url = f"/orders/{order.order_id}/returns/"

    four = auth_client.post(url, form(lines, photos=[photo() for _ in range(4)]), format="multipart")
    text = SimpleUploadedFile("photo.jpg", b"GIF89a but not really", content_type="image/jpeg")
    fake = auth_client.post(url, form(lines, photos=[text]), format="multipart")

    assert (four.status_code, four.json()["message"]) == (400, "最多上传3张照片")
    assert (fake.status_code, fake.json()["message"]) == (400, "请上传JPG、PNG或WebP格式的图片")
    assert nothing_returned(order)


def test_after_seven_days_the_order_takes_no_return(auth_client, user, phone):
    order = received_order(user, {phone: 1}, received_days_ago=8)
    lines = [{"order_goods": line_of(order, phone).pk, "count": 1}]

    response = auth_client.post(f"/orders/{order.order_id}/returns/", form(lines), format="multipart")
    returnable = auth_client.get(f"/orders/{order.order_id}/returnable/")

    assert (response.status_code, response.json()["message"]) == (400, "已超过7天退货期限")
    assert (returnable.status_code, returnable.json()["message"]) == (400, "已超过7天退货期限")
    assert nothing_returned(order)


def test_another_members_order_or_line_is_not_found_or_refused(auth_client, user, other_user, phone):
    mine = received_order(user, {phone: 1})
    theirs = received_order(other_user, {phone: 1})
    their_line = [{"order_goods": line_of(theirs, phone).pk, "count": 1}]

    assert (
        auth_client.post(f"/orders/{theirs.order_id}/returns/", form(their_line), format="multipart").status_code == 404
    )
    assert auth_client.get(f"/orders/{theirs.order_id}/returnable/").status_code == 404
    with_their_line = auth_client.post(f"/orders/{mine.order_id}/returns/", form(their_line), format="multipart")
    assert (with_their_line.status_code, with_their_line.json()["message"]) == (400, "订单中没有该商品")
    assert nothing_returned(mine) and nothing_returned(theirs)


def test_returnable_lists_what_is_left_of_each_line_and_the_reasons(auth_client, user, bought, phone):
    order, tea = bought
    returns.open_return(user, order, [(line_of(order, phone).pk, 1)], Reason.QUALITY)

    body = auth_client.get(f"/orders/{order.order_id}/returnable/").json()

    deadline = timezone.localtime(returns.return_deadline(order)).strftime("%Y-%m-%d %H:%M")
    assert (body["order_id"], body["deadline"]) == (order.order_id, deadline)
    assert body["reasons"][0] == {"value": 1, "label": "7天无理由退货"}
    assert len(body["reasons"]) == len(Reason.choices)
    by_sku = {line["sku"]["id"]: line for line in body["lines"]}
    assert by_sku[phone.id] == {
        "id": line_of(order, phone).pk,
        "sku": {"id": phone.id, "name": phone.name, "default_image_url": phone.default_image_url},
        "price": "100.00",
        "count": 2,
        "remaining": 1,
        "returnable": True,
    }
    assert (by_sku[tea.id]["count"], by_sku[tea.id]["remaining"], by_sku[tea.id]["returnable"]) == (1, 1, False)


def test_my_orders_show_the_return_deadline_of_received_orders_only(auth_client, user, phone, make_order):
    received = received_order(user, {phone: 1})
    make_order()

    orders = {o["order_id"]: o for o in auth_client.get("/orders/").json()["results"]}

    deadline = timezone.localtime(returns.return_deadline(received)).strftime("%Y-%m-%d %H:%M")
    assert orders.pop(received.order_id)["return_deadline"] == deadline
    assert [o["return_deadline"] for o in orders.values()] == [None]


def test_an_order_returned_in_full_shows_no_return_deadline(auth_client, user, bought, phone):
    order, tea = bought
    returns.open_return(user, order, [(line_of(order, phone).pk, 2), (line_of(order, tea).pk, 1)], Reason.QUALITY)

    orders = {o["order_id"]: o for o in auth_client.get("/orders/").json()["results"]}

    assert orders[order.order_id]["return_deadline"] is None


def test_the_member_follows_the_return_to_its_refund(auth_client, user, other_user, bought, phone):
    order, _ = bought
    operator = operator_in("订单客服")
    request = returns.open_return(user, order, [(line_of(order, phone).pk, 1)], Reason.DAMAGED, "外壳破损")
    theirs = received_order(other_user, {phone: 1})
    returns.open_return(other_user, theirs, [(line_of(theirs, phone).pk, 1)], Reason.QUALITY)
    returns.approve_return(request, operator, "请寄回")

    shipped = auth_client.put(
        f"/returns/{request.pk}/shipment/", {"carrier": "顺丰速运", "tracking_number": "SF1234567"}, format="json"
    )
    assert shipped.status_code == 200, shipped.content
    assert (shipped.json()["status"], shipped.json()["tracking_number"]) == (4, "SF1234567")
    again = auth_client.put(
        f"/returns/{request.pk}/shipment/", {"carrier": "顺丰速运", "tracking_number": "SF1"}, format="json"
    )
    assert again.status_code == 400
    refund = returns.receive_return(ReturnRequest.objects.get(pk=request.pk), operator)
    services.refund_succeeded(refund, "2026120122001", timezone.now())

    listed = auth_client.get("/returns/", {"page": 1, "page_size": 5}).json()
    detail = auth_client.get(f"/returns/{request.pk}/").json()

    assert (listed["count"], [r["id"] for r in listed["results"]]) == (1, [request.pk])
    assert detail["status_name"] == "已收货"
    assert detail["refund"]["amount"] == "100.00"
    assert (detail["refund"]["status"], detail["refund"]["status_name"]) == (Refund.Status.SUCCEEDED, "已退款")
    assert detail["refund"]["refunded_time"]
    assert [(step["status"], step["status_name"]) for step in detail["timeline"]] == [
        (1, "待审核"),
        (2, "待寄回"),
        (4, "已寄回"),
        (5, "已收货"),
        (5, "已退款"),
    ]
    assert detail["timeline"][1]["note"] == "请寄回"
    assert detail["timeline"][2]["note"] == "顺丰速运 SF1234567"
    assert detail["timeline"][4]["note"] == "退款金额 ¥100.00"


def test_another_members_return_is_not_found(user, other_user, phone):
    order = received_order(user, {phone: 1})
    request = returns.open_return(user, order, [(line_of(order, phone).pk, 1)], Reason.QUALITY)
    returns.approve_return(request, operator_in("订单客服"), "")
    stranger = jwt_client(other_user)

    assert stranger.get(f"/returns/{request.pk}/").status_code == 404
    shipment = {"carrier": "顺丰速运", "tracking_number": "SF1234567"}
    assert stranger.put(f"/returns/{request.pk}/shipment/", shipment, format="json").status_code == 404
    assert stranger.get("/returns/").json()["count"] == 0
    assert ReturnRequest.objects.get().status == ReturnRequest.Status.APPROVED
