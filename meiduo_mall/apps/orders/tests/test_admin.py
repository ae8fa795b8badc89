"""The back office's order pages: shipping with a carrier and number, cancelling unpaid orders, what the people
who ship an order read on its page, its notes, and what nobody may do (delete, edit an order by hand)."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.orders import services
from meiduo_mall.apps.orders.models import OrderInfo, OrderNote, OrderStatusChange
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.users.tests.fixtures import jwt_client, operator_in
from tests.factories import AddressFactory, SKUFactory, UserFactory, area_chain

pytestmark = pytest.mark.django_db

Status = OrderInfo.Status
CASH, ALIPAY = OrderInfo.PayMethod.CASH, OrderInfo.PayMethod.ALIPAY
ORDERS = "/admin/orders/orderinfo/"


def placed(pay_method=CASH, sku=None, count=2, address=None):
    user = address.user if address else UserFactory()
    sku = sku or SKUFactory(name="导出用商品")
    fill_cart(user, {sku.id: count})
    return services.place_order(user, address or AddressFactory(user=user), pay_method)


def stored(order):
    return OrderInfo.objects.get(pk=order.pk)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def operator(*codenames, group=None):
    """A staff member holding only the orders permissions `codenames`, or those of the role `group`."""
    user = operator_in(group) if group else UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="orders", codename__in=codenames))
    return user


def order_records(order):
    content_type = ContentType.objects.get_for_model(OrderInfo)
    return list(
        LogEntry.objects.filter(content_type=content_type, object_id=order.pk)
        .order_by("id")
        .values_list("action_flag", "change_message", "user_id")
    )


def ship_page(order):
    return f"{ORDERS}{order.pk}/ship/"


def change_page(order):
    return f"{ORDERS}{order.pk}/change/"


SHIPMENT = {"carrier": "顺丰速运", "other_carrier": "", "tracking_number": "SF1234567890"}


# Shipping one order from its page


def test_the_ship_page_asks_for_carrier_and_tracking_number(staff_client):
    order = placed()

    page = staff_client.get(ship_page(order))

    assert page.status_code == 200
    text = page.content.decode()
    for label in ("快递公司", "快递单号", "顺丰速运", "邮政快递包裹", "其他", "东长安街1号", order.order_id):
        assert label in text
    assert stored(order).status == Status.UNSEND


def test_shipping_with_a_tracking_number_moves_the_order_and_records_who_did_it(client):
    shipper = operator("view_orderinfo", "ship_order")
    client.force_login(shipper)
    order = placed()

    response = client.post(ship_page(order), SHIPMENT)

    assert response.status_code == 302
    assert response["Location"] == change_page(order)
    order = stored(order)
    assert (order.status, order.carrier, order.tracking_number) == (Status.UNRECEIVED, "顺丰速运", "SF1234567890")
    assert order.shipped_time is not None
    assert list(order.status_changes.values_list("from_status", "to_status", "operator_id")) == [
        (Status.UNSEND, Status.UNRECEIVED, shipper.id)
    ]
    assert order_records(order) == [(CHANGE, "发货：顺丰速运 SF1234567890", shipper.id)]
    followed = client.get(response["Location"])
    assert f"订单 {order.pk} 已发货：顺丰速运 SF1234567890" in followed.content.decode()


def test_a_carrier_outside_the_list_is_typed_in_under_other(staff_client):
    order = placed()

    missing = staff_client.post(ship_page(order), {**SHIPMENT, "carrier": "其他"})
    typed = staff_client.post(ship_page(order), {**SHIPMENT, "carrier": "其他", "other_carrier": "德邦快递"})

    assert missing.status_code == 200
    assert "请填写快递公司名称" in missing.content.decode()
    assert typed.status_code == 302
    assert stored(order).carrier == "德邦快递"


@pytest.mark.parametrize(
    "fields,error",
    [
        ({"tracking_number": ""}, "请填写快递单号"),
        ({"tracking_number": "   "}, "请填写快递单号"),
        ({"tracking_number": "SF123"}, "快递单号至少 6 位"),
        ({"tracking_number": "S" * 41}, "快递单号最多 40 位"),
        ({"tracking_number": "SF 123 456"}, "快递单号只能包含字母、数字和“-”"),
        ({"tracking_number": "顺丰1234567"}, "快递单号只能包含字母、数字和“-”"),
        ({"carrier": ""}, "请选择快递公司"),
        ({"carrier": "随便快递"}, "请选择快递公司"),
    ],
)
def test_a_bad_shipment_is_refused_on_the_form_and_changes_nothing(staff_client, fields, error):
    order = placed()

    response = staff_client.post(ship_page(order), {**SHIPMENT, **fields})

    assert response.status_code == 200
    assert error in response.content.decode()
    order = stored(order)
    assert (order.status, order.carrier, order.tracking_number, order.shipped_time) == (Status.UNSEND, "", "", None)
    assert not order.status_changes.exists()
    assert order_records(order) == []


@pytest.mark.parametrize("pay_method", [ALIPAY, CASH])
def test_an_order_not_waiting_for_shipment_is_not_shipped_from_its_page(staff_client, pay_method):
    order = placed(pay_method)
    if pay_method == CASH:
        staff_client.post(ship_page(order), SHIPMENT)
    before = stored(order)

    response = staff_client.post(ship_page(order), {**SHIPMENT, "tracking_number": "YT0000000001"}, follow=True)

    assert f"订单 {order.pk} 不是待发货状态，未发货" in response.content.decode()
    after = stored(order)
    assert (after.status, after.tracking_number) == (before.status, before.tracking_number)
    assert len(order_records(order)) == (1 if pay_method == CASH else 0)


# Shipping several orders from the list


def bulk_ship(client, orders, rows=None):
    """The list's 发货 action on `orders`; with `rows` ({order: (carrier, number)}), the form sent back filled."""
    data = {"action": "ship", "_selected_action": [o.pk for o in orders]}
    if rows is not None:
        data |= {"apply": "yes", "shipment-TOTAL_FORMS": len(rows), "shipment-INITIAL_FORMS": len(rows)}
        for n, (order, (carrier, number)) in enumerate(rows.items()):
            data |= {
                f"shipment-{n}-order_id": order.pk,
                f"shipment-{n}-carrier": carrier,
                f"shipment-{n}-tracking_number": number,
            }
    return client.post(ORDERS, data, follow=True)


def test_the_ship_action_asks_for_a_number_per_order_waiting_and_names_the_others(staff_client):
    first, second = placed(), placed()
    unpaid = placed(ALIPAY)

    page = bulk_ship(staff_client, [first, unpaid, second])

    assert page.status_code == 200
    assert page.templates[0].name == "admin/orders/orderinfo/ship_selected.html"
    text = page.content.decode()
    assert first.order_id in text and second.order_id in text
    assert 'name="shipment-TOTAL_FORMS" value="2"' in text
    assert "另有 1 个所选订单不是待发货状态" in text
    assert [stored(o).status for o in (first, second)] == [Status.UNSEND, Status.UNSEND]


def test_the_ship_action_ships_each_order_with_its_number_and_reports_the_skipped(client):
    shipper = operator("view_orderinfo", "ship_order")
    client.force_login(shipper)
    first, second = placed(), placed()
    unpaid = placed(ALIPAY)

    response = bulk_ship(
        client,
        [first, second, unpaid],
        {first: ("顺丰速运", "SF1000000001"), second: ("京东物流", "JD-0000000002")},
    )

    text = response.content.decode()
    assert "已发货 2 个订单" in text
    assert "1 个订单不是待发货状态，未发货" in text
    assert [(o.status, o.carrier, o.tracking_number) for o in map(stored, (first, second))] == [
        (Status.UNRECEIVED, "顺丰速运", "SF1000000001"),
        (Status.UNRECEIVED, "京东物流", "JD-0000000002"),
    ]
    assert stored(unpaid).status == Status.UNPAID
    assert order_records(second) == [(CHANGE, "发货：京东物流 JD-0000000002", shipper.id)]
    assert OrderStatusChange.objects.filter(operator=shipper).count() == 2


def test_one_row_without_a_number_ships_none_of_the_orders(staff_client):
    first, second = placed(), placed()

    response = bulk_ship(staff_client, [first, second], {first: ("顺丰速运", "SF1000000001"), second: ("中通快递", "")})

    assert response.templates[0].name == "admin/orders/orderinfo/ship_selected.html"
    assert "请填写快递单号" in response.content.decode()
    assert [stored(o).status for o in (first, second)] == [Status.UNSEND, Status.UNSEND]
    assert not OrderStatusChange.objects.exists()


def test_a_row_for_an_order_not_selected_is_refused(staff_client):
    selected, other = placed(), placed()
    data = {
        "action": "ship",
        "_selected_action": [selected.pk],
        "apply": "yes",
        "shipment-TOTAL_FORMS": 1,
        "shipment-INITIAL_FORMS": 1,
        "shipment-0-order_id": other.pk,
        "shipment-0-carrier": "顺丰速运",
        "shipment-0-tracking_number": "SF1000000001",
    }

    response = staff_client.post(ORDERS, data)

    assert "订单不在所选范围内" in response.content.decode()
    assert stored(other).status == stored(selected).status == Status.UNSEND


def test_an_order_shipped_meanwhile_is_reported_skipped_not_shipped_twice(staff_client):
    order = placed()
    staff_client.post(ship_page(order), SHIPMENT)

    response = bulk_ship(staff_client, [order], {order: ("圆通速递", "YT1000000001")})

    assert "1 个订单不是待发货状态，未发货" in response.content.decode()
    assert stored(order).tracking_number == "SF1234567890"


def test_a_ship_form_sent_back_without_its_management_data_ships_nothing(staff_client):
    order = placed()
    data = {"action": "ship", "_selected_action": [order.pk], "apply": "yes", "shipment-0-order_id": order.pk}

    response = staff_client.post(
        ORDERS, {**data, "shipment-0-carrier": "顺丰速运", "shipment-0-tracking_number": "SF1"}
    )

    assert response.status_code == 200
    assert response.templates[0].name == "admin/orders/orderinfo/ship_selected.html"
    assert stored(order).status == Status.UNSEND


@pytest.mark.parametrize("step", ["ship", "cancel"])
def test_the_ship_and_cancel_pages_of_an_unknown_order_send_back_to_the_index(staff_client, step):
    response = staff_client.get(f"{ORDERS}20260101000000000000001/{step}/", follow=True)

    assert response.status_code == 200
    assert "不存在" in response.content.decode()


def test_the_ship_action_on_orders_none_waiting_only_reports_them(staff_client):
    unpaid = placed(ALIPAY)

    response = bulk_ship(staff_client, [unpaid])

    assert response.templates[0].name != "admin/orders/orderinfo/ship_selected.html"
    assert "1 个订单不是待发货状态，未发货" in response.content.decode()


# Without the permission to ship


def test_without_ship_order_there_is_no_ship_page_action_or_button(client):
    client.force_login(operator("view_orderinfo", "cancel_order"))
    order = placed()

    listing = client.get(ORDERS)
    detail = client.get(change_page(order))

    assert client.get(ship_page(order)).status_code == 403
    assert client.post(ship_page(order), SHIPMENT).status_code == 403
    assert '<option value="ship">' not in listing.content.decode()
    assert ship_page(order) not in detail.content.decode()
    bulk_ship(client, [order], {order: ("顺丰速运", "SF1000000001")})
    assert stored(order).status == Status.UNSEND
    assert not OrderStatusChange.objects.exists()


def test_the_order_service_role_ships_from_the_order_page(client):
    client.force_login(operator(group="订单客服"))
    order = placed()

    detail = client.get(change_page(order))
    client.post(ship_page(order), SHIPMENT)

    assert ship_page(order) in detail.content.decode()
    assert stored(order).status == Status.UNRECEIVED


def test_the_order_page_offers_only_the_step_its_status_allows(staff_client):
    waiting, unpaid = placed(), placed(ALIPAY)

    waiting_page = staff_client.get(change_page(waiting)).content.decode()
    unpaid_page = staff_client.get(change_page(unpaid)).content.decode()

    # Waiting for shipment: shipped, or cancelled with its refund.
    assert ship_page(waiting) in waiting_page and f"{ORDERS}{waiting.pk}/cancel/" in waiting_page
    assert f"{ORDERS}{unpaid.pk}/cancel/" in unpaid_page and ship_page(unpaid) not in unpaid_page


# Cancelling


def test_the_cancel_action_gives_stock_back_and_skips_paid_orders(client):
    canceller = operator("view_orderinfo", "cancel_order")
    client.force_login(canceller)
    sku = SKUFactory(stock=10, sales=0)
    unpaid = placed(ALIPAY, sku=sku, count=3)
    waiting = placed(CASH, sku=sku, count=2)

    response = client.post(
        ORDERS, {"action": "cancel_unpaid", "_selected_action": [unpaid.pk, waiting.pk]}, follow=True
    )

    text = response.content.decode()
    assert "已取消 1 个订单，库存已退回" in text
    assert "1 个订单不是待支付状态，未取消" in text
    assert (stored(unpaid).status, stored(waiting).status) == (Status.CANCELED, Status.UNSEND)
    sku.refresh_from_db()
    assert (sku.stock, sku.sales) == (8, 2)
    assert order_records(unpaid) == [(CHANGE, "取消订单（库存已退回）", canceller.id)]
    assert order_records(waiting) == []
    assert list(unpaid.status_changes.values_list("to_status", "operator_id")) == [(Status.CANCELED, canceller.id)]


def test_cancelling_from_the_order_page_asks_first_then_gives_stock_back(staff_client):
    sku = SKUFactory(stock=10)
    order = placed(ALIPAY, sku=sku, count=3)
    cancel_page = f"{ORDERS}{order.pk}/cancel/"

    confirm = staff_client.get(cancel_page)
    assert confirm.status_code == 200
    assert "确认取消订单" in confirm.content.decode()
    assert stored(order).status == Status.UNPAID

    response = staff_client.post(cancel_page, follow=True)

    assert f"订单 {order.pk} 已取消，库存已退回" in response.content.decode()
    assert stored(order).status == Status.CANCELED
    sku.refresh_from_db()
    assert sku.stock == 10
    again = staff_client.post(cancel_page, follow=True)
    assert f"订单 {order.pk} 不是待支付或待发货状态，未取消" in again.content.decode()
    sku.refresh_from_db()
    assert sku.stock == 10


def test_without_cancel_order_nothing_is_cancelled(client):
    client.force_login(operator("view_orderinfo", "ship_order"))
    order = placed(ALIPAY)

    assert client.get(f"{ORDERS}{order.pk}/cancel/").status_code == 403
    assert client.post(f"{ORDERS}{order.pk}/cancel/").status_code == 403
    client.post(ORDERS, {"action": "cancel_unpaid", "_selected_action": [order.pk]})
    assert stored(order).status == Status.UNPAID


# Nobody deletes an order or edits it by hand


def test_orders_cannot_be_deleted_even_by_a_superuser(staff_client):
    order = placed()

    assert staff_client.get(f"{ORDERS}{order.pk}/delete/").status_code == 403
    assert staff_client.post(f"{ORDERS}{order.pk}/delete/", {"post": "yes"}).status_code == 403
    listing = staff_client.get(ORDERS).content.decode()
    staff_client.post(ORDERS, {"action": "delete_selected", "_selected_action": [order.pk], "post": "yes"})

    assert 'value="delete_selected"' not in listing
    assert OrderInfo.objects.filter(pk=order.pk).exists()
    assert order.skus.count() == 1


def test_saving_the_order_page_changes_no_field_of_the_order(staff_client):
    order = placed()

    staff_client.post(
        change_page(order),
        {**note_form(order, ""), "status": Status.FINISHED, "total_amount": "0.01", "carrier": "顺丰速运"},
    )

    after = stored(order)
    assert (after.status, after.total_amount, after.carrier) == (Status.UNSEND, order.total_amount, "")


# What the people who ship the order read on its page


def test_the_order_page_shows_address_lines_payment_shipment_history_and_notes(staff_client):
    user = UserFactory()
    province, city, district = area_chain(("440000", "广东省"), ("440300", "深圳市"), ("440305", "南山区"))
    address = AddressFactory(
        user=user, receiver="李四", mobile="13912345678", province=province, city=city, district=district,
        place="科技园南区8栋",
    )  # fmt: skip
    sku = SKUFactory(name="带图的商品", default_image_url="http://image.meiduo.site/skus/phone.png")
    order = placed(ALIPAY, sku=sku, count=2, address=address)
    address.is_deleted = True
    address.save()
    services.mark_paid(order)
    Payment.objects.create(order=order, trade_id="2026120122001400000000000042")
    shipper = UserFactory(is_staff=True, username="发货员小王")
    services.ship(stored(order), "中通快递", "ZT7777777777", operator=shipper)
    OrderNote.objects.create(order=order, author=shipper, text="买家来电要求周末送达")

    page = staff_client.get(change_page(order))

    assert page.status_code == 200
    text = page.content.decode()
    for shown in (
        "广东省 深圳市 南山区 科技园南区8栋",
        "李四",
        "13912345678",
        'src="http://image.meiduo.site/skus/phone.png"',
        "带图的商品",
        "¥200.00",
        "2026120122001400000000000042",
        "中通快递",
        "ZT7777777777",
        "下单 → 待支付",
        "待支付 → 待发货",
        "待发货 → 待收货",
        "发货员小王",
        "买家来电要求周末送达",
    ):
        assert shown in text, shown


def test_the_list_shows_the_total_in_yuan_and_the_shipment(staff_client):
    order = placed()
    staff_client.post(ship_page(order), SHIPMENT)

    text = staff_client.get(ORDERS).content.decode()

    assert f"¥{order.total_amount:.2f}" in text
    assert "顺丰速运 SF1234567890" in text


# Notes


def note_form(order, text, edited=None):
    """The order page's POST body: its lines and notes as they stand (the first note's text `edited`), plus a new
    note `text`."""
    lines = list(order.skus.order_by("id"))
    notes = list(order.notes.all())
    form = {
        "skus-TOTAL_FORMS": len(lines),
        "skus-INITIAL_FORMS": len(lines),
        "notes-TOTAL_FORMS": len(notes) + 1,
        "notes-INITIAL_FORMS": len(notes),
    }
    for n, line in enumerate(lines):
        form |= {f"skus-{n}-id": line.pk, f"skus-{n}-order": order.pk}
    for n, note in enumerate(notes):
        form |= {f"notes-{n}-id": note.pk, f"notes-{n}-order": order.pk, f"notes-{n}-text": note.text}
    if notes and edited is not None:
        form["notes-0-text"] = edited
    form |= {f"notes-{len(notes)}-id": "", f"notes-{len(notes)}-order": order.pk, f"notes-{len(notes)}-text": text}
    return form


def test_the_order_service_adds_a_note_and_is_its_author(client):
    colleague = UserFactory(is_staff=True)
    service = operator(group="订单客服")
    client.force_login(service)
    order = placed()
    OrderNote.objects.create(order=order, author=colleague, text="第一条备注")

    response = client.post(change_page(order), note_form(order, "买家要求改约周六送货", edited="被改过的备注"))

    assert response.status_code == 302
    assert list(order.notes.values_list("text", "author_id")) == [
        ("第一条备注", colleague.id),
        ("买家要求改约周六送货", service.id),
    ]
    assert stored(order).status == Status.UNSEND


def test_without_add_ordernote_the_order_page_is_read_only(client):
    client.force_login(operator("view_orderinfo", "view_ordergoods", "view_ordernote"))
    order = placed()

    page = client.get(change_page(order))
    response = client.post(change_page(order), note_form(order, "不该写进去的备注"))

    assert page.status_code == 200
    assert 'name="notes-0-text"' not in page.content.decode()
    assert response.status_code == 403
    assert not order.notes.exists()


def test_a_note_longer_than_2000_characters_is_refused(staff_client):
    order = placed()

    response = staff_client.post(change_page(order), note_form(order, "长" * 2001))

    assert response.status_code == 200
    assert not order.notes.exists()


# The shopper sees the shipment in "my orders"


def test_my_orders_show_carrier_and_tracking_number_once_shipped(staff_client):
    order = placed()
    shopper = jwt_client(order.user)

    before = shopper.get("/orders/").json()["results"][0]
    staff_client.post(ship_page(order), SHIPMENT)
    after = shopper.get("/orders/").json()["results"][0]

    assert (before["carrier"], before["tracking_number"], before["shipped_time"]) == ("", "", None)
    assert (after["status"], after["carrier"], after["tracking_number"]) == (
        Status.UNRECEIVED,
        "顺丰速运",
        "SF1234567890",
    )
    assert after["shipped_time"]


def test_operators_find_an_order_and_see_its_lines(staff_client):
    order = placed(CASH)

    listing = staff_client.get(ORDERS, {"q": order.user.username})
    detail = staff_client.get(change_page(order))

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
