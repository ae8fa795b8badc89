"""The coupons' back office: the template form and its rules, granting by mobiles, the members' copies (read
only), who may do what, and a list whose queries do not grow with its rows."""

from datetime import timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meiduo_mall.apps.coupons.models import Coupon, MemberCoupon
from meiduo_mall.apps.coupons.tests.fixtures import CouponFactory, MemberCouponFactory
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.users.tests.fixtures import client_of, operator_in
from tests.factories import CategoryFactory, GoodsFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

COUPONS = "/admin/coupons/coupon/"
COPIES = "/admin/coupons/membercoupon/"
Kind, Scope = Coupon.Kind, Coupon.Scope


def local(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"


def coupon_form(**fields):
    """The add/change form as the page posts it: a 满100减10 for a fixed window, 100 of them."""
    now = timezone.now()
    form = {
        "name": "满100减10",
        "kind": Kind.SPEND_AND_SAVE,
        "is_active": "on",
        "threshold": "100",
        "amount": "10",
        "percent_off": "",
        "max_discount": "",
        "scope": Scope.WHOLE_SHOP,
        "valid_from_0": "",
        "valid_from_1": "",
        "valid_until_0": f"{timezone.localtime(now + timedelta(days=30)):%Y-%m-%d}",
        "valid_until_1": "23:59:00",
        "valid_days": "",
        "total_quantity": "100",
        "per_member_limit": "1",
        "is_public": "on",
    }
    form.update(fields)
    return {key: value for key, value in form.items() if value is not None}


def errors_of(response):
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


# The template's rules -------------------------------------------------------------------------------------


def test_a_valid_spend_and_save_coupon_is_added(staff_client):
    response = staff_client.post(f"{COUPONS}add/", coupon_form())
    assert response.status_code == 302
    coupon = Coupon.objects.get()
    assert (coupon.kind, coupon.threshold, coupon.amount, coupon.issued_count) == (
        Kind.SPEND_AND_SAVE,
        Decimal("100.00"),
        Decimal("10.00"),
        0,
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": ""}, "amount", "请填写减免金额"),
        ({"amount": "0"}, "amount", "减免金额须大于0"),
        ({"amount": "-5"}, "amount", "减免金额须大于0"),
        ({"threshold": "10", "amount": "10"}, "threshold", "满减券的使用门槛须大于减免金额"),
        ({"threshold": "9.99", "amount": "10"}, "threshold", "满减券的使用门槛须大于减免金额"),
        ({"kind": Kind.NO_THRESHOLD, "threshold": "50", "amount": "5"}, "threshold", "无门槛券的使用门槛须为0"),
        ({"kind": Kind.NO_THRESHOLD, "threshold": "0", "amount": "0"}, "amount", "减免金额须大于0"),
        ({"kind": Kind.PERCENT_OFF, "percent_off": ""}, "percent_off", "请填写折扣力度"),
        ({"kind": Kind.PERCENT_OFF, "percent_off": "0"}, "percent_off", "折扣力度须在1到99之间（10表示九折）"),
        ({"kind": Kind.PERCENT_OFF, "percent_off": "100"}, "percent_off", "折扣力度须在1到99之间（10表示九折）"),
        ({"kind": Kind.PERCENT_OFF, "percent_off": "10", "max_discount": "0"}, "max_discount", "最多优惠须大于0"),
        ({"kind": Kind.PERCENT_OFF, "percent_off": "10", "threshold": "-1"}, "threshold", "使用门槛不能为负数"),
        ({"valid_until_0": "", "valid_until_1": ""}, "valid_until", "请填写失效时间，或填写领取后有效天数"),
        ({"valid_days": "7"}, "valid_days", "固定有效期和领取后有效天数只能选一种"),
        (
            {"valid_until_0": "", "valid_until_1": "", "valid_days": "0"},
            "valid_days",
            "领取后有效天数至少为1天",
        ),
        (
            {
                "valid_until_0": "",
                "valid_until_1": "",
                "valid_days": "7",
                "valid_from_0": "2026-12-01",
                "valid_from_1": "08:00:00",
            },
            "valid_from",
            "按领取后天数计算有效期时，不填写生效时间",
        ),
        (
            {"valid_from_0": "2030-01-02", "valid_from_1": "00:00:00", "valid_until_0": "2030-01-01"},
            "valid_until",
            "失效时间须晚于生效时间",
        ),
        (
            {
                "valid_from_0": "2030-01-01",
                "valid_from_1": "08:00:00",
                "valid_until_0": "2030-01-01",
                "valid_until_1": "08:00:00",
            },
            "valid_until",
            "失效时间须晚于生效时间",
        ),  # fmt: skip
        ({"total_quantity": "0"}, "total_quantity", "发放总量至少为1张"),
        ({"per_member_limit": "0"}, "per_member_limit", "每人限领至少为1张"),
        ({"scope": Scope.CATEGORIES}, "categories", "指定分类的优惠券请选择适用分类"),
        ({"scope": Scope.GOODS}, "goods", "指定商品的优惠券请选择适用商品"),
    ],
)
def test_a_coupon_breaking_a_rule_is_refused_with_the_reason(staff_client, fields, field, message):
    errors = errors_of(staff_client.post(f"{COUPONS}add/", coupon_form(**fields)))
    assert message in errors.get(field, []), errors
    assert not Coupon.objects.exists()


def test_a_percent_off_coupon_in_a_category_with_a_cap_keeps_only_its_own_rule(staff_client):
    phones = CategoryFactory(name="手机")
    form = coupon_form(
        name="手机9折券",
        kind=Kind.PERCENT_OFF,
        threshold="0",
        amount="10",
        percent_off="10",
        max_discount="50",
        scope=Scope.CATEGORIES,
        categories=[phones.pk],
        valid_until_0="",
        valid_until_1="",
        valid_days="7",
    )
    assert staff_client.post(f"{COUPONS}add/", form).status_code == 302
    coupon = Coupon.objects.get()
    # The 满减 amount typed before the kind was switched is not kept: pricing of 折扣 never reads it.
    assert (coupon.percent_off, coupon.max_discount, coupon.amount, coupon.valid_days) == (
        10,
        Decimal("50.00"),
        None,
        7,
    )
    assert list(coupon.categories.all()) == [phones]


def test_a_no_threshold_coupon_for_chosen_goods_is_added(staff_client):
    goods = GoodsFactory()
    form = coupon_form(kind=Kind.NO_THRESHOLD, threshold="0", amount="5", scope=Scope.GOODS, goods=[goods.pk])
    assert staff_client.post(f"{COUPONS}add/", form).status_code == 302
    assert list(Coupon.objects.get().goods.all()) == [goods]


def test_the_total_cannot_go_below_what_was_handed_out(staff_client):
    coupon = CouponFactory(total_quantity=100, issued_count=40)
    errors = errors_of(staff_client.post(f"{COUPONS}{coupon.pk}/change/", coupon_form(total_quantity="39")))
    assert errors["total_quantity"] == ["发放总量不能少于已发放的40张"]
    assert staff_client.post(f"{COUPONS}{coupon.pk}/change/", coupon_form(total_quantity="40")).status_code == 302
    coupon.refresh_from_db()
    assert (coupon.total_quantity, coupon.issued_count) == (40, 40)


def test_saving_the_form_keeps_the_claims_made_while_it_was_open(staff_client):
    coupon = CouponFactory(name="旧名字", total_quantity=100, issued_count=3)
    page = staff_client.get(f"{COUPONS}{coupon.pk}/change/")
    assert page.status_code == 200
    # Members claim while the operator edits the name.
    Coupon.objects.filter(pk=coupon.pk).update(issued_count=10)
    assert staff_client.post(f"{COUPONS}{coupon.pk}/change/", coupon_form(name="新名字")).status_code == 302
    coupon.refresh_from_db()
    assert (coupon.name, coupon.issued_count) == ("新名字", 10)
    entry = LogEntry.objects.get(object_id=str(coupon.pk), action_flag=CHANGE)
    assert "名称（旧名字 → 新名字）" in entry.get_change_message()


def test_a_coupon_handed_out_is_never_deleted_one_not_handed_out_is(staff_client):
    issued, fresh = CouponFactory(issued_count=1), CouponFactory()
    assert staff_client.get(f"{COUPONS}{issued.pk}/delete/").status_code == 403
    assert staff_client.post(f"{COUPONS}{issued.pk}/delete/", {"post": "yes"}).status_code == 403
    assert staff_client.post(f"{COUPONS}{fresh.pk}/delete/", {"post": "yes"}).status_code == 302
    assert list(Coupon.objects.all()) == [issued]
    # No bulk delete, which would not ask each coupon.
    page = staff_client.get(COUPONS)
    assert "delete_selected" not in dict(page.context["action_form"].fields["action"].choices)


# Granting by mobiles --------------------------------------------------------------------------------------


def grant_page(coupon):
    return f"{COUPONS}{coupon.pk}/grant/"


def test_the_grant_page_asks_for_mobiles(staff_client):
    coupon = CouponFactory(name="会员专享券", is_public=False, total_quantity=20, issued_count=5)
    page = staff_client.get(grant_page(coupon))
    assert page.status_code == 200
    text = page.content.decode()
    for label in ("会员专享券", "满100减10", "还可发放 15 张", "会员手机号", "确认发放"):
        assert label in text


def test_granting_gives_members_one_each_and_reports_strangers_and_those_at_the_limit(client):
    catalog = operator_in("商品运营")
    client.force_login(catalog)
    coupon = CouponFactory(is_public=False, per_member_limit=1)
    first, second, holder = (UserFactory(mobile=m) for m in ("13800000001", "13800000002", "13800000003"))
    MemberCouponFactory(coupon=coupon, user=holder, sequence=1)

    response = client.post(
        grant_page(coupon), {"mobiles": "13800000001\n13800000002，13900000009, 13800000003\n13800000001"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{COUPONS}{coupon.pk}/change/"
    held = MemberCoupon.objects.filter(coupon=coupon)
    assert sorted(held.values_list("user_id", "source")) == sorted(
        [(first.id, MemberCoupon.Source.GRANTED), (second.id, MemberCoupon.Source.GRANTED), (holder.id, 1)]
    )
    coupon.refresh_from_db()
    assert coupon.issued_count == 2
    shown = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert f"已向2位会员发放“{coupon.name}”" in shown
    assert "1个手机号不是本店会员，未发放：13900000009" in shown
    assert "1位会员已达每人限领1张，未发放" in shown
    entry = LogEntry.objects.get(object_id=str(coupon.pk), action_flag=CHANGE)
    assert entry.user == catalog
    assert entry.get_change_message() == "发放优惠券：2张（非会员1个，已达限领1个，已发完未发0个）"


def test_granting_past_the_total_reports_the_rest_sold_out(staff_client):
    coupon = CouponFactory(total_quantity=2, issued_count=1)
    for mobile in ("13800000011", "13800000012"):
        UserFactory(mobile=mobile)
    response = staff_client.post(grant_page(coupon), {"mobiles": "13800000011,13800000012"})
    assert response.status_code == 302
    assert MemberCoupon.objects.filter(coupon=coupon).count() == 1
    shown = [str(m) for m in staff_client.get(response["Location"]).context["messages"]]
    assert "优惠券已发完，1个手机号未发放" in shown


@pytest.mark.parametrize(
    ("mobiles", "message"),
    [
        ("", "请填写会员手机号"),
        (" \n ,，", "请填写会员手机号"),
        ("13800000001\n1380000000", "手机号格式错误：1380000000"),
        ("abc, 12345678901", "手机号格式错误：abc、12345678901"),
        (",".join(str(13800000000 + n) for n in range(1001)), "一次最多发放给1000个手机号，请分批发放"),
    ],
)
def test_a_bad_list_of_mobiles_is_refused_and_grants_nothing(staff_client, mobiles, message):
    coupon = CouponFactory()
    UserFactory(mobile="13800000001")
    response = staff_client.post(grant_page(coupon), {"mobiles": mobiles})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MemberCoupon.objects.exists()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"is_active": False}, "已停用"),
        ({"valid_from": None, "valid_until": timezone.now() - timedelta(minutes=1)}, "已过期"),
        ({"total_quantity": 5, "issued_count": 5}, "已发完"),
    ],
)
def test_a_coupon_that_cannot_be_handed_out_offers_no_grant_form(staff_client, fields, reason):
    coupon = CouponFactory(**fields)
    UserFactory(mobile="13800000001")
    for data in (None, {"mobiles": "13800000001"}):
        response = staff_client.post(grant_page(coupon), data) if data else staff_client.get(grant_page(coupon))
        assert response.status_code == 302
        shown = [str(m) for m in staff_client.get(response["Location"]).context["messages"]]
        assert f"优惠券“{coupon.name}”{reason}，不能发放" in shown
    assert not MemberCoupon.objects.exists()


def test_the_list_action_opens_the_grant_page_of_one_coupon(staff_client):
    one, other = CouponFactory(), CouponFactory()
    response = staff_client.post(COUPONS, {"action": "grant", "_selected_action": [one.pk]})
    assert response.status_code == 302 and response["Location"] == grant_page(one)
    both = staff_client.post(COUPONS, {"action": "grant", "_selected_action": [one.pk, other.pk]}, follow=True)
    assert "请只选择一张优惠券发放" in [str(m) for m in both.context["messages"]]


def test_without_grant_coupon_there_is_no_grant(client):
    coupon = CouponFactory()
    UserFactory(mobile="13800000001")
    for role in ("订单客服", "数据分析"):
        client.force_login(operator_in(role))
        assert client.get(f"{COUPONS}{coupon.pk}/change/").status_code == 200
        assert grant_page(coupon) not in client.get(f"{COUPONS}{coupon.pk}/change/").content.decode()
        assert client.post(grant_page(coupon), {"mobiles": "13800000001"}).status_code == 403
        client.post(COUPONS, {"action": "grant", "_selected_action": [coupon.pk]})
    assert not MemberCoupon.objects.exists()


# Roles ---------------------------------------------------------------------------------------------------


def test_catalog_operators_add_and_change_coupons_order_service_and_analysts_only_read(client):
    coupon = CouponFactory(name="原名")
    catalog = client_of(operator_in("商品运营"))
    assert catalog.get(f"{COUPONS}add/").status_code == 200
    assert catalog.post(f"{COUPONS}{coupon.pk}/change/", coupon_form(name="运营改名")).status_code == 302
    assert catalog.get(grant_page(coupon)).status_code == 200
    assert grant_page(coupon) in catalog.get(f"{COUPONS}{coupon.pk}/change/").content.decode()
    assert catalog.get(COPIES).status_code == 200
    for role in ("订单客服", "数据分析"):
        reader = client_of(operator_in(role))
        assert reader.get(COUPONS).status_code == 200
        assert reader.get(COPIES).status_code == 200
        assert reader.post(f"{COUPONS}{coupon.pk}/change/", coupon_form(name="客服改名")).status_code == 403
        assert reader.get(f"{COUPONS}add/").status_code == 403
    coupon.refresh_from_db()
    assert coupon.name == "运营改名"
    # Nobody in a role deletes a coupon, even one never handed out.
    assert catalog.post(f"{COUPONS}{CouponFactory().pk}/delete/", {"post": "yes"}).status_code == 403


def run_promotions_migration():
    """0003, 0004 and 0005 as `migrate` runs them on a fresh database: historical models, no permissions yet."""
    for name, function in (
        ("0003_operator_roles", "create_roles"),
        ("0004_after_sales_roles", "grant_after_sales"),
        ("0005_promotion_roles", "grant_promotions"),
    ):
        migration = import_module(f"meiduo_mall.apps.users.migrations.{name}")
        state = MigrationExecutor(connection).loader.project_state(("users", name))
        with connection.schema_editor() as schema_editor:
            getattr(migration, function)(state.apps, schema_editor)


def promotion_grants(name):
    labels = ("coupons", "orders")
    rows = Group.objects.get(name=name).permissions.filter(content_type__app_label__in=labels)
    codenames = rows.values_list("content_type__app_label", "codename")
    return {f"{app}.{codename}" for app, codename in codenames if "coupon" in codename or "freight" in codename}


def test_the_migration_gives_each_role_its_promotion_rights_and_is_reversed():
    Group.objects.all().delete()
    Permission.objects.all().delete()
    run_promotions_migration()
    assert promotion_grants("商品运营") == {
        "coupons.add_coupon", "coupons.change_coupon", "coupons.view_coupon", "coupons.grant_coupon",
        "coupons.view_membercoupon", "orders.add_freightrule", "orders.change_freightrule",
        "orders.view_freightrule", "orders.add_freightsurcharge", "orders.change_freightsurcharge",
        "orders.view_freightsurcharge", "orders.delete_freightsurcharge",
    }  # fmt: skip
    readers = {"coupons.view_coupon", "coupons.view_membercoupon", "orders.view_freightrule"}
    assert promotion_grants("订单客服") == readers | {"orders.view_freightsurcharge"}
    assert promotion_grants("数据分析") == readers | {"orders.view_freightsurcharge"}

    promotions = import_module("meiduo_mall.apps.users.migrations.0005_promotion_roles")
    with connection.schema_editor() as schema_editor:
        promotions.revoke_promotions(apps, schema_editor)
    assert all(promotion_grants(role) == set() for role in ("商品运营", "订单客服", "数据分析"))
    assert "orders.ship_order" in {
        f"{a}.{c}"
        for a, c in Group.objects.get(name="订单客服").permissions.values_list("content_type__app_label", "codename")
    }


# The list and the members' copies -------------------------------------------------------------------------


def coupons_with_copies(count):
    for _ in range(count):
        coupon = CouponFactory(scope=Scope.CATEGORIES, categories=[CategoryFactory()], total_quantity=10)
        MemberCouponFactory(coupon=coupon, status=MemberCoupon.Status.USED, used_time=timezone.now())
        MemberCouponFactory(coupon=coupon)


def test_the_list_costs_the_same_queries_for_two_coupons_or_eight(staff_client):
    coupons_with_copies(2)
    staff_client.get(COUPONS)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(COUPONS).status_code == 200
    coupons_with_copies(6)
    with CaptureQueriesContext(connection) as many:
        page = staff_client.get(COUPONS)
    assert len(page.context["cl"].result_list) == 8
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as few_copies:
        staff_client.get(COPIES)
    coupons_with_copies(4)
    with CaptureQueriesContext(connection) as many_copies:
        assert len(staff_client.get(COPIES).context["cl"].result_list) == 24
    assert len(many_copies) == len(few_copies)


def test_the_list_shows_rule_scope_validity_and_counts(staff_client):
    phones = CategoryFactory(name="手机")
    coupon = CouponFactory(
        name="手机9折券",
        kind=Kind.PERCENT_OFF,
        threshold=Decimal("200"),
        amount=None,
        percent_off=10,
        max_discount=Decimal("50"),
        scope=Scope.CATEGORIES,
        categories=[phones],
        valid_from=None,
        valid_until=None,
        valid_days=7,
        total_quantity=50,
        issued_count=3,
    )
    MemberCouponFactory(coupon=coupon, status=MemberCoupon.Status.USED, used_time=timezone.now())
    MemberCouponFactory(coupon=coupon, status=MemberCoupon.Status.USED, used_time=timezone.now())
    MemberCouponFactory(coupon=coupon)
    page = staff_client.get(COUPONS)
    row = page.context["cl"].result_list[0]
    admin = page.context["cl"].model_admin
    assert admin.rule(row) == "满200打9折（最多减50）"
    assert admin.scope_display(row) == "指定分类：手机"
    assert admin.validity(row) == "领取后7天"
    assert admin.issued(row) == "3/50"
    assert admin.used_count(row) == 2
    assert "满200打9折（最多减50）" in page.content.decode()


def test_members_copies_show_status_expired_included_and_the_order_that_used_it(staff_client):
    member = UserFactory(mobile="13800000021")
    coupon = CouponFactory(name="满100减10")
    used = MemberCouponFactory(coupon=coupon, user=member, status=MemberCoupon.Status.USED, used_time=timezone.now())
    order = OrderFactory(user=member, coupon=used, discount=Decimal("10.00"))
    expired = MemberCouponFactory(
        coupon=coupon, user=member, valid_until=timezone.now() - timedelta(minutes=1), sequence=2
    )
    usable = MemberCouponFactory(coupon=CouponFactory(name="另一张"), user=member)

    page = staff_client.get(f"{COPIES}?q=13800000021")
    admin = page.context["cl"].model_admin
    rows = {copy.pk: copy for copy in page.context["cl"].result_list}
    assert set(rows) == {used.pk, expired.pk, usable.pk}
    assert [admin.status_display(rows[c.pk]) for c in (used, expired, usable)] == ["已使用", "已过期", "未使用"]
    assert f'href="/admin/orders/orderinfo/{order.pk}/change/"' in page.content.decode()
    assert admin.order_link(rows[usable.pk]) == "—"

    def shown(status):
        return {c.pk for c in staff_client.get(f"{COPIES}?status={status}").context["cl"].result_list}

    assert (shown("usable"), shown("used"), shown("expired")) == ({usable.pk}, {used.pk}, {expired.pk})
    assert staff_client.get(f"{COPIES}{used.pk}/change/").status_code == 200


def test_nobody_adds_changes_or_deletes_a_members_copy_superusers_included(staff_client):
    copy = MemberCouponFactory()
    assert staff_client.get(f"{COPIES}add/").status_code == 403
    assert staff_client.post(f"{COPIES}{copy.pk}/change/", {"status": 2}).status_code == 403
    assert staff_client.post(f"{COPIES}{copy.pk}/delete/", {"post": "yes"}).status_code == 403
    staff_client.post(COPIES, {"action": "delete_selected", "_selected_action": [copy.pk], "post": "yes"})
    copy.refresh_from_db()
    assert copy.status == MemberCoupon.Status.UNUSED


@pytest.mark.parametrize("query", ["status=nope", "source__exact=9", "coupon__id__exact=abc", "o=99", "q=%00"])
def test_the_copies_list_survives_bad_filters(staff_client, query):
    assert staff_client.get(f"{COPIES}?{query}").status_code in (200, 302)


def test_the_order_page_shows_the_discount_and_the_coupon_used(staff_client):
    copy = MemberCouponFactory(coupon=CouponFactory(name="满100减10"), status=MemberCoupon.Status.USED)
    order = OrderFactory(user=copy.user, coupon=copy, discount=Decimal("10.00"))
    page = staff_client.get(f"/admin/orders/orderinfo/{order.pk}/change/").content.decode()
    assert "优惠金额" in page and "10.00" in page
    assert "满100减10（满100减10）" in page
    assert f'href="{COPIES}{copy.pk}/change/"' in page
    plain = OrderFactory(user=copy.user)
    assert OrderInfo.objects.get(pk=plain.pk).coupon_id is None
    assert staff_client.get(f"/admin/orders/orderinfo/{plain.pk}/change/").status_code == 200
