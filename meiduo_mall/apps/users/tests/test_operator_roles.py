"""The three operator roles of the back office: what each group holds, and that each can do exactly that."""

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.admin import site
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.forms import modelform_factory
from django.utils import timezone

from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.goods.tests.admin_forms import sku_change_form
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.users.tests.fixtures import client_of, operator_in
from meiduo_mall.utils.admin import RecordedChanges
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOODS_MODELS = (
    "goodscategory", "goodschannel", "brand", "goods", "goodsspecification", "specificationoption",
    "sku", "skuimage", "skuspecification", "brandalias", "searchsynonym",
)  # fmt: skip
CONTENTS_MODELS = ("contentcategory", "content")
AFTER_SALES_MODELS = ("returnrequest", "returnline", "returnphoto", "refund")
SHOP_MODELS = {
    "goods": GOODS_MODELS,
    "contents": CONTENTS_MODELS,
    "orders": ("orderinfo", "ordergoods", "orderstatuschange", "ordernote", *AFTER_SALES_MODELS),
    "payment": ("payment",),
    "users": ("user", "address"),
}
CRUD = ("add", "change", "delete", "view")
ROLES = ("商品运营", "订单客服", "数据分析")


def granted(name):
    group = Group.objects.get(name=name)
    return {f"{app_label}.{codename}" for app_label, codename in group.permissions.values_list(
        "content_type__app_label", "codename"
    )}  # fmt: skip


def run_roles_migration():
    """The data migrations as `migrate` runs them on a fresh database: historical models, no permissions yet."""
    migration = import_module("meiduo_mall.apps.users.migrations.0003_operator_roles")
    state = MigrationExecutor(connection).loader.project_state(("users", "0003_operator_roles"))
    with connection.schema_editor() as schema_editor:
        migration.create_roles(state.apps, schema_editor)
    after_sales = import_module("meiduo_mall.apps.users.migrations.0004_after_sales_roles")
    state = MigrationExecutor(connection).loader.project_state(("users", "0004_after_sales_roles"))
    with connection.schema_editor() as schema_editor:
        after_sales.grant_after_sales(state.apps, schema_editor)


def test_the_migration_makes_the_three_roles_with_exactly_their_permissions():
    Group.objects.all().delete()
    Permission.objects.all().delete()
    run_roles_migration()
    assert granted("商品运营") == {f"goods.{action}_{model}" for model in GOODS_MODELS for action in CRUD} | {
        f"contents.{action}_{model}" for model in CONTENTS_MODELS for action in CRUD
    }
    assert granted("订单客服") == {
        "orders.view_orderinfo", "orders.view_ordergoods", "orders.ship_order", "orders.cancel_order",
        "orders.add_ordernote", "orders.view_ordernote", "orders.view_orderstatuschange",
        "payment.view_payment", "users.view_user", "users.view_address",
        "orders.view_returnrequest", "orders.view_returnline", "orders.view_returnphoto", "orders.review_return",
        "orders.receive_return", "orders.view_refund", "orders.retry_refund",
    }  # fmt: skip
    assert granted("数据分析") == {
        f"{app_label}.view_{model}" for app_label, models in SHOP_MODELS.items() for model in models
    } | {"goods.export_sku", "orders.export_orderinfo", "users.export_user", "admin.view_logentry"}


def test_the_migration_can_run_again_and_be_reversed():
    run_roles_migration()
    assert Group.objects.filter(name__in=ROLES).count() == 3
    migration = import_module("meiduo_mall.apps.users.migrations.0003_operator_roles")
    with connection.schema_editor() as schema_editor:
        migration.delete_roles(apps, schema_editor)
    assert not Group.objects.filter(name__in=ROLES).exists()


def test_the_after_sales_migration_is_reversed_to_the_first_grants():
    run_roles_migration()
    after_sales = import_module("meiduo_mall.apps.users.migrations.0004_after_sales_roles")
    with connection.schema_editor() as schema_editor:
        after_sales.revoke_after_sales(apps, schema_editor)
    assert not {p for role in ROLES for p in granted(role)} & {
        f"orders.{codename}" for _, grants in after_sales.GRANTS.items() for _, codename in grants
    }
    assert "orders.ship_order" in granted("订单客服") and "orders.view_orderinfo" in granted("数据分析")


def operator(name):
    """A staff member of the back office in the role `name`, and nothing more."""
    return operator_in(name)


def sku_price_change(client, sku, price):
    return client.post(f"/admin/goods/sku/{sku.id}/change/", sku_change_form(sku, price=price))


def test_catalog_operators_change_prices_but_never_see_orders(sku):
    client = client_of(operator("商品运营"))
    assert sku_price_change(client, sku, "88.00").status_code == 302
    sku.refresh_from_db()
    assert sku.price == Decimal("88.00")
    assert client.get("/admin/goods/goods/").status_code == 200
    assert client.get("/admin/contents/content/add/").status_code == 200
    assert client.get("/admin/orders/orderinfo/").status_code == 403
    assert client.get("/admin/users/user/").status_code == 403
    assert client.get("/admin/admin/logentry/").status_code == 403
    # Changing the catalog is not exporting it.
    assert client.get("/admin/goods/sku/export/").status_code == 403


def test_order_service_sees_orders_and_users_but_cannot_change_a_price(sku, order):
    client = client_of(operator("订单客服"))
    assert client.get("/admin/orders/orderinfo/").status_code == 200
    assert client.get(f"/admin/orders/orderinfo/{order.pk}/change/").status_code == 200
    assert client.get("/admin/payment/payment/").status_code == 200
    assert sku_price_change(client, sku, "1.00").status_code == 403
    sku.refresh_from_db()
    assert sku.price == Decimal("100.00")

    assert client.get("/admin/users/user/").status_code == 200
    page = client.get(f"/admin/users/user/{order.user_id}/change/")
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    refused = client.post(f"/admin/users/user/{order.user_id}/change/", {"username": "renamed"})
    assert refused.status_code == 403
    assert client.get("/admin/users/user/add/").status_code == 403


def shop_lists():
    """The change lists of the shop's models (and the audit list) in the back office."""
    return [
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in site._registry
        if model._meta.app_label in (*SHOP_MODELS, "admin")
    ]


def test_analysts_read_every_list_and_export_but_change_nothing(sku, order):
    client = client_of(operator("数据分析"))
    lists = shop_lists()
    assert "/admin/goods/sku/" in lists and "/admin/admin/logentry/" in lists
    for url in lists:
        page = client.get(url)
        assert page.status_code == 200, url
        assert not page.context["cl"].model_admin.has_add_permission(page.wsgi_request), url
        assert client.get(f"{url}add/").status_code == 403, url

    assert sku_price_change(client, sku, "1.00").status_code == 403
    sku.refresh_from_db()
    assert sku.price == Decimal("100.00")
    assert client.post(f"/admin/users/user/{order.user_id}/change/", {"username": "renamed"}).status_code == 403
    assert client.post(f"/admin/goods/sku/{sku.id}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/goods/sku/export/").status_code == 200
    assert client.get("/admin/goods/sku/import/").status_code == 403


def test_analysts_are_offered_no_ship_or_cancel_action(order):
    page = client_of(operator("数据分析")).get("/admin/orders/orderinfo/")
    assert page.status_code == 200
    offered = [name for name, _ in page.context["action_form"].fields["action"].choices if name]
    assert not [name for name in offered if name.startswith(("ship", "cancel"))], offered


def test_analysts_cannot_run_the_ship_action_by_posting_it(order):
    client = client_of(operator("数据分析"))
    client.post("/admin/orders/orderinfo/", {"action": "ship", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNPAID
    assert not order.status_changes.exists()


def test_a_shopper_is_sent_to_the_login_page(client, user):
    client.force_login(user)
    response = client.get("/admin/goods/sku/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_shopper_cannot_log_in_at_the_back_office_door(client, user):
    response = client.post("/admin/login/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_audit_list_shows_who_changed_a_price_from_what_to_what(sku):
    catalog = operator("商品运营")
    assert sku_price_change(client_of(catalog), sku, "88").status_code == 302
    entry = LogEntry.objects.get(object_id=str(sku.id), action_flag=CHANGE)
    assert entry.user == catalog
    assert "单价（100.00 → 88.00）" in entry.get_change_message()
    # Fields written out from the form's own values, unchanged ones not named.
    assert "库存（10 → 5）" in entry.get_change_message()
    assert "名称" not in entry.get_change_message()

    page = client_of(operator("数据分析")).get("/admin/admin/logentry/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "日志记录" in html
    assert catalog.username in html
    assert "单价（100.00 → 88.00）" in html
    assert f'href="/admin/goods/sku/{sku.id}/change/" class="text-primary-600"' in html
    # The per-object history says the same.
    history = client_of(UserFactory(is_staff=True, is_superuser=True)).get(f"/admin/goods/sku/{sku.id}/history/")
    assert "单价（100.00 → 88.00）" in history.content.decode()


def test_a_goods_change_records_old_and_new_values_but_not_long_texts(staff_client, sku):
    goods = sku.goods
    form = {
        "name": "新名字",
        "brand": goods.brand_id,
        "category1": goods.category1_id,
        "category2": goods.category2_id,
        "category3": goods.category3_id,
        "sales": 3,
        "comments": 0,
        "desc_detail": "<p>很长的介绍</p>",
        "desc_pack": "",
        "desc_service": "",
        "specs-TOTAL_FORMS": 0,
        "specs-INITIAL_FORMS": 0,
    }
    assert staff_client.post(f"/admin/goods/goods/{goods.id}/change/", form).status_code == 302
    entry = LogEntry.objects.get(object_id=str(goods.id), content_type__model="goods")
    message = entry.get_change_message()
    assert f"名称（{goods.name} → 新名字）" in message
    assert "销量（0 → 3）" in message
    assert "详细介绍" in message and "很长的介绍" not in message


def test_the_audit_list_filters_by_operator_type_action_time_and_name(sku):
    catalog, other = operator("商品运营"), operator("商品运营")
    shopper = UserFactory()
    sku_price_change(client_of(catalog), sku, "88.00")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = client_of(superuser)
    client.post(f"/admin/goods/goods/{sku.goods_id}/delete/", {"post": "yes"})
    sku_type = ContentType.objects.get_for_model(SKU)

    def shown(query):
        page = client.get(f"/admin/admin/logentry/?{query}")
        assert page.status_code == 200, query
        return list(page.context["cl"].result_list)

    by_catalog = shown(f"user__id__exact={catalog.id}")
    assert [entry.object_repr for entry in by_catalog] == [str(sku)]
    assert shown(f"user__id__exact={other.id}") == []
    assert {entry.content_type_id for entry in shown(f"content_type__id__exact={sku_type.id}")} == {sku_type.id}
    assert {entry.action_flag for entry in shown(f"action_flag__exact={DELETION}")} == {DELETION}
    assert len(shown(f"q={sku.name}")) == 1
    today = timezone.localdate().isoformat()
    assert len(shown(f"action_time_from_0={today}&action_time_from_1=00:00:00")) == LogEntry.objects.count()
    assert shown("action_time_to_0=2000-01-01&action_time_to_1=00:00:00") == []
    # A day alone is the whole of that day, in the shop's time zone.
    assert len(shown(f"action_time_from_0={today}&action_time_to_0={today}")) == LogEntry.objects.count()

    html = client.get("/admin/admin/logentry/").content.decode()
    assert catalog.username in html and shopper.username not in html
    # A deleted object has no change page to link to.
    assert f'href="/admin/goods/goods/{sku.goods_id}/change/"' not in html


@pytest.mark.parametrize(
    "query",
    [
        "user__id__exact=abc",
        "content_type__id__exact=999999",
        "action_flag__exact=9",
        "action_time_from_0=not-a-date&action_time_from_1=25:99",
        "o=99",
        "q=%00",
    ],
)
def test_the_audit_list_survives_bad_filters(staff_client, query):
    assert staff_client.get(f"/admin/admin/logentry/?{query}").status_code in (200, 302)


def test_nobody_edits_or_deletes_a_record_superusers_included(sku):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = client_of(superuser)
    sku_price_change(client, sku, "88.00")
    entry = LogEntry.objects.get(object_id=str(sku.id))
    for person in (client, client_of(operator("数据分析"))):
        assert person.post(f"/admin/admin/logentry/{entry.id}/delete/", {"post": "yes"}).status_code == 403
        assert person.post(f"/admin/admin/logentry/{entry.id}/change/", {"change_message": "x"}).status_code == 403
        assert person.get("/admin/admin/logentry/add/").status_code == 403
        bulk = person.post("/admin/admin/logentry/", {"action": "delete_selected", "_selected_action": [entry.id]})
        assert bulk.status_code in (200, 302)
        assert person.get(f"/admin/admin/logentry/{entry.id}/change/").status_code == 200
    entry.refresh_from_db()
    assert "单价" in entry.get_change_message()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_taking_an_sku_off_sale_from_the_list_records_yes_to_no(sku):
    catalog = operator("商品运营")
    form = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-0-id": sku.id,
        "_save": "保存",
    }  # an unchecked box sends nothing: is_launched becomes False
    assert client_of(catalog).post("/admin/goods/sku/", form).status_code == 302
    sku.refresh_from_db()
    assert not sku.is_launched
    entry = LogEntry.objects.get(object_id=str(sku.id), user=catalog)
    assert entry.get_change_message() == "已修改是否上架销售（是 → 否）。"


def test_a_field_with_choices_is_recorded_by_its_labels(order):
    form = modelform_factory(OrderInfo, fields=["status"])({"status": OrderInfo.Status.UNSEND}, instance=order)
    assert form.is_valid()
    assert RecordedChanges().recorded_field(form, "status") == "订单状态（待支付 → 待发货）"


def test_order_service_is_offered_ship_and_cancel_and_ships_an_order(make_order):
    order = make_order(status=OrderInfo.Status.UNSEND, pay_method=OrderInfo.PayMethod.CASH)
    client = client_of(operator("订单客服"))
    page = client.get("/admin/orders/orderinfo/")
    offered = {name for name, _ in page.context["action_form"].fields["action"].choices}
    assert {"ship", "cancel_unpaid"} <= offered
    assert (
        f"/admin/orders/orderinfo/{order.pk}/ship/"
        in client.get(f"/admin/orders/orderinfo/{order.pk}/change/").content.decode()
    )

    shipment = {"carrier": "顺丰速运", "other_carrier": "", "tracking_number": "SF1234567890"}
    assert client.post(f"/admin/orders/orderinfo/{order.pk}/ship/", shipment).status_code == 302
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (OrderInfo.Status.UNRECEIVED, "SF1234567890")


def test_analysts_cannot_open_the_ship_or_cancel_pages_of_an_order(make_order):
    waiting = make_order(status=OrderInfo.Status.UNSEND, pay_method=OrderInfo.PayMethod.CASH)
    unpaid = make_order()
    client = client_of(operator("数据分析"))
    assert f"/{waiting.pk}/ship/" not in client.get(f"/admin/orders/orderinfo/{waiting.pk}/change/").content.decode()
    assert f"/{unpaid.pk}/cancel/" not in client.get(f"/admin/orders/orderinfo/{unpaid.pk}/change/").content.decode()
    shipment = {"carrier": "顺丰速运", "other_carrier": "", "tracking_number": "SF1234567890"}
    assert client.post(f"/admin/orders/orderinfo/{waiting.pk}/ship/", shipment).status_code == 403
    assert client.post(f"/admin/orders/orderinfo/{unpaid.pk}/cancel/", {"post": "yes"}).status_code == 403
    client.post("/admin/orders/orderinfo/", {"action": "cancel_unpaid", "_selected_action": [unpaid.pk]})
    waiting.refresh_from_db()
    unpaid.refresh_from_db()
    assert (waiting.status, unpaid.status) == (OrderInfo.Status.UNSEND, OrderInfo.Status.UNPAID)
