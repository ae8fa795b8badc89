"""The back-office dashboard (meiduo_mall/dashboard.py): its figures by Beijing day, its lists, its cache and what
each operator sees on /admin/."""

import datetime
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo, Refund
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.users.tests.fixtures import operator_in
from meiduo_mall.dashboard import FIGURES_CACHE_KEY, compute_figures, dashboard_figures
from tests.factories import AddressFactory, GoodsFactory, OrderFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# 10:00 in Beijing on 30 November: that Beijing day began at 16:00 UTC on the 29th, and the 30 days of the
# dashboard at 16:00 UTC on 31 October.
NOW = datetime.datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
Status = OrderInfo.Status
PayMethod = OrderInfo.PayMethod


@pytest.fixture
def buyer():
    return AddressFactory()


def order_at(buyer, create_time, amount="100.00", status=Status.UNSEND, pay_method=PayMethod.CASH, lines=()):
    order = OrderFactory(
        user=buyer.user, address=buyer, total_amount=Decimal(amount), status=status, pay_method=pay_method
    )
    # create_time is written by auto_now_add; the dashboard is about when orders were placed.
    OrderInfo.objects.filter(pk=order.pk).update(create_time=create_time)
    for sku, count in lines:
        OrderGoods.objects.create(order=order, sku=sku, count=count, price=sku.price)
    return order


def day_figures(figures, day):
    index = figures["days"].index(day)
    return figures["orders"][index], figures["amounts"][index], figures["members"][index]


def test_an_order_at_half_past_midnight_in_beijing_counts_for_that_beijing_day(buyer):
    order_at(buyer, datetime.datetime(2026, 11, 29, 16, 30, tzinfo=UTC), "30.00")  # 00:30 on the 30th in Beijing
    order_at(buyer, datetime.datetime(2026, 11, 29, 15, 30, tzinfo=UTC), "20.00")  # 23:30 on the 29th
    figures = compute_figures(NOW)
    assert figures["days"][-1] == "2026-11-30"
    assert len(figures["days"]) == 30
    assert day_figures(figures, "2026-11-30")[:2] == (1, "30.00")
    assert day_figures(figures, "2026-11-29")[:2] == (1, "20.00")


def test_the_thirty_days_begin_at_midnight_in_beijing_twenty_nine_days_ago(buyer):
    order_at(buyer, datetime.datetime(2026, 10, 31, 16, 0, tzinfo=UTC), "40.00")  # 00:00 on 1 November
    order_at(buyer, datetime.datetime(2026, 10, 31, 15, 59, 59, tzinfo=UTC), "50.00")  # 31 October, left out
    figures = compute_figures(NOW)
    assert figures["days"][0] == "2026-11-01"
    assert day_figures(figures, "2026-11-01")[:2] == (1, "40.00")
    assert sum(figures["orders"]) == 1


def test_unpaid_orders_count_as_orders_but_not_as_paid_and_cancelled_ones_not_at_all(buyer):
    placed = datetime.datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    order_at(buyer, placed, "10.00", status=Status.UNSEND, pay_method=PayMethod.CASH)
    order_at(buyer, placed, "20.00", status=Status.UNSEND, pay_method=PayMethod.ALIPAY)
    order_at(buyer, placed, "40.00", status=Status.FINISHED, pay_method=PayMethod.ALIPAY)
    order_at(buyer, placed, "80.00", status=Status.UNPAID, pay_method=PayMethod.ALIPAY)
    order_at(buyer, placed, "160.00", status=Status.CANCELED, pay_method=PayMethod.ALIPAY)
    assert day_figures(compute_figures(NOW), "2026-11-30")[:2] == (4, "70.00")


def test_new_members_are_counted_by_their_beijing_day_and_staff_are_left_out():
    UserFactory(date_joined=datetime.datetime(2026, 11, 29, 16, 0, tzinfo=UTC))
    UserFactory(date_joined=datetime.datetime(2026, 11, 29, 15, 59, tzinfo=UTC))
    UserFactory(date_joined=datetime.datetime(2026, 11, 30, 1, 0, tzinfo=UTC), is_staff=True)
    figures = compute_figures(NOW)
    assert day_figures(figures, "2026-11-30")[2] == 1
    assert day_figures(figures, "2026-11-29")[2] == 1


def test_top_skus_are_ranked_by_units_of_paid_orders_in_the_thirty_days(buyer):
    goods = GoodsFactory()
    phone, case, cable, old = (SKUFactory(goods=goods, price=Decimal(p)) for p in ("1000.00", "20.00", "5.00", "1.00"))
    placed = datetime.datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    order_at(buyer, placed, lines=[(phone, 1), (case, 3)])
    order_at(buyer, placed, status=Status.FINISHED, lines=[(phone, 1), (cable, 2)])
    order_at(buyer, placed, status=Status.UNPAID, pay_method=PayMethod.ALIPAY, lines=[(cable, 5)])
    order_at(buyer, placed, status=Status.CANCELED, pay_method=PayMethod.ALIPAY, lines=[(phone, 9)])
    order_at(buyer, datetime.datetime(2026, 10, 1, tzinfo=UTC), lines=[(old, 50)])
    top = compute_figures(NOW)["top_skus"]
    assert [(row["id"], row["sold"], row["amount"]) for row in top] == [
        (case.id, 3, "60.00"),
        (phone.id, 2, "2000.00"),
        (cable.id, 2, "10.00"),
    ]
    assert top[0]["name"] == case.name


def test_low_stock_lists_the_ten_launched_skus_with_least_stock_and_counts_them_all():
    goods = GoodsFactory()
    skus = [SKUFactory(goods=goods, stock=stock) for stock in (9, 0, 5, 3, 8, 1, 7, 2, 6, 4, 9, 10, 50)]
    SKUFactory(goods=goods, stock=0, is_launched=False)
    figures = compute_figures(NOW)
    assert figures["low_stock_count"] == 11
    assert [row["stock"] for row in figures["low_stock"]] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert figures["low_stock"][0] == {"id": skus[1].id, "name": skus[1].name, "stock": 0}


def test_unpaid_orders_due_within_ten_minutes_are_listed_soonest_first(buyer, settings):
    settings.UNPAID_ORDER_TIMEOUT_MINUTES = 30
    due_in_5 = order_at(buyer, NOW - timedelta(minutes=25), status=Status.UNPAID, pay_method=PayMethod.ALIPAY)
    due_in_2 = order_at(buyer, NOW - timedelta(minutes=28), status=Status.UNPAID, pay_method=PayMethod.ALIPAY)
    order_at(buyer, NOW - timedelta(minutes=15), status=Status.UNPAID, pay_method=PayMethod.ALIPAY)  # 15 left
    order_at(buyer, NOW - timedelta(minutes=31), status=Status.UNPAID, pay_method=PayMethod.ALIPAY)  # timed out
    order_at(buyer, NOW - timedelta(minutes=25), status=Status.UNSEND, pay_method=PayMethod.ALIPAY)  # paid
    due = compute_figures(NOW)["due_soon"]
    assert [row["order_id"] for row in due] == [due_in_2.order_id, due_in_5.order_id]
    assert due[1]["deadline"] == (NOW + timedelta(minutes=5)).timestamp()
    assert due[1]["username"] == buyer.user.username and due[1]["amount"] == "100.00"


def test_the_figures_take_the_same_queries_for_three_orders_and_for_thirty(buyer, django_assert_max_num_queries):
    sku = SKUFactory()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            compute_figures(NOW)
        return len(captured)

    for hour in range(3):
        order_at(buyer, NOW - timedelta(hours=hour), lines=[(sku, 1)])
    few = queries()
    for day in range(27):
        order_at(buyer, NOW - timedelta(days=day, hours=1), lines=[(sku, 2)])
    assert queries() == few
    with django_assert_max_num_queries(7):
        compute_figures(NOW)


def refund_of(order, amount, refunded_time, status=Refund.Status.SUCCEEDED):
    payment, _ = Payment.objects.get_or_create(
        order=order, defaults={"trade_id": f"T{order.order_id}", "amount": order.total_amount}
    )
    return Refund.objects.create(
        order=order,
        payment=payment,
        out_request_no=f"{order.order_id}R{Refund.objects.filter(order=order).count() + 1:02d}",
        amount=Decimal(amount),
        reason="退货退款",
        status=status,
        refunded_time=refunded_time,
    )


def test_refunds_count_on_the_beijing_day_they_were_paid_back_and_only_once_paid_back(buyer):
    order = order_at(buyer, datetime.datetime(2026, 11, 20, 2, 0, tzinfo=UTC), "100.00", pay_method=PayMethod.ALIPAY)
    refund_of(order, "30.00", datetime.datetime(2026, 11, 29, 16, 30, tzinfo=UTC))  # 00:30 on the 30th in Beijing
    refund_of(order, "20.00", datetime.datetime(2026, 11, 29, 15, 30, tzinfo=UTC))  # 23:30 on the 29th
    refund_of(order, "5.00", None, status=Refund.Status.PROCESSING)
    refund_of(order, "5.00", None, status=Refund.Status.FAILED)
    refund_of(order, "9.00", datetime.datetime(2026, 10, 31, 15, 59, tzinfo=UTC))  # before the 30 days
    figures = compute_figures(NOW)
    refunds = dict(zip(figures["days"], figures["refunds"], strict=True))
    assert (refunds["2026-11-30"], refunds["2026-11-29"], refunds["2026-11-20"]) == ("30.00", "20.00", "0.00")
    # The order's money stays on the day it was paid: 支付金额 is gross.
    assert day_figures(figures, "2026-11-20")[1] == "100.00"


def test_the_figures_are_kept_a_minute_and_recomputed_once_forgotten(buyer, django_assert_num_queries):
    order_at(buyer, timezone.now())
    first = dashboard_figures()
    assert first["orders"][-1] == 1
    assert json.loads(json.dumps(first)) == first
    order_at(buyer, timezone.now())
    with django_assert_num_queries(0):
        assert dashboard_figures() == first
    assert 0 < cache.ttl(FIGURES_CACHE_KEY) <= 60
    cache.clear()
    assert dashboard_figures()["orders"][-1] == 2


def test_with_redis_stopped_the_figures_come_from_the_database(shop_redis, buyer):
    order_at(buyer, timezone.now())
    shop_redis.stop()
    assert dashboard_figures()["orders"][-1] == 1
    assert dashboard_figures()["orders"][-1] == 1


def staff_with(*codenames):
    """A staff member holding just these permissions ("app_label.codename")."""
    staff = UserFactory(is_staff=True)
    for name in codenames:
        app_label, codename = name.split(".")
        staff.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return staff


@pytest.fixture
def shop_day(buyer, settings):
    """Today: a cash order with a best seller, an SKU running low and an Alipay order due in about 5 minutes."""
    settings.UNPAID_ORDER_TIMEOUT_MINUTES = 30
    now = timezone.now()
    goods = GoodsFactory()
    best = SKUFactory(goods=goods, name="热卖耳机", price=Decimal("110.00"), stock=50)
    low = SKUFactory(goods=goods, name="快卖完的台灯", stock=3)
    order_at(buyer, now, "110.00", lines=[(best, 1)])
    due = order_at(buyer, now - timedelta(minutes=25, seconds=30), "88.00", status=Status.UNPAID, pay_method=2)
    return {"best": best, "low": low, "due": due}


def dashboard_html(client, user):
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_superuser_sees_every_figure_list_and_link(client, shop_day):
    html = dashboard_html(client, UserFactory(is_staff=True, is_superuser=True))
    assert "今日" in html and "近30天" in html
    assert "新增会员" in html and "订单数" in html and "¥110.00" in html
    assert "近30天订单数" in html and "近30天支付金额" in html
    assert "退款金额" in html and "净收入" in html
    amount_chart = json.loads(client.get("/admin/").context["amount_chart"])
    assert [series["label"] for series in amount_chart["datasets"]] == ["支付金额（元）", "退款金额（元）"]
    assert "热卖耳机" in html and "热销商品 TOP10" in html
    assert "库存预警" in html and "快卖完的台灯" in html and "共 1 件商品库存不足" in html
    assert f'href="/admin/goods/sku/{shop_day["low"].id}/change/"' in html and "补货" in html
    assert "即将超时的未支付订单" in html and "5 分钟" in html
    assert f'href="/admin/orders/orderinfo/{shop_day["due"].order_id}/change/"' in html
    assert 'href="/admin/orders/orderinfo/?status__exact=1"' in html
    assert "转化率" not in html


def test_a_catalog_operator_gets_the_page_without_order_figures(client, shop_day):
    html = dashboard_html(client, staff_with("goods.view_sku", "goods.change_sku"))
    assert "库存预警" in html and "热卖耳机" in html
    assert f'href="/admin/goods/sku/{shop_day["low"].id}/change/"' in html
    assert "订单数" not in html and "支付金额" not in html and "新增会员" not in html
    assert "即将超时" not in html and "/admin/orders/orderinfo/" not in html


def test_restocking_is_offered_only_to_who_may_change_skus(client, shop_day):
    html = dashboard_html(client, staff_with("goods.view_sku"))
    assert "快卖完的台灯" in html
    assert "补货" not in html and f"/admin/goods/sku/{shop_day['low'].id}/change/" not in html


def test_an_order_clerk_sees_orders_but_not_the_catalog_tables_or_members(client, shop_day):
    html = dashboard_html(client, staff_with("orders.view_orderinfo"))
    assert "订单数" in html and "¥110.00" in html and "即将超时的未支付订单" in html
    assert "库存预警" not in html and "热销商品" not in html and "新增会员" not in html


def test_staff_without_any_permission_still_get_a_working_page(client, shop_day):
    html = dashboard_html(client, staff_with())
    assert "订单数" not in html and "库存预警" not in html


def test_today_s_refund_is_taken_off_the_net_income_but_not_the_paid_amount(client, shop_day):
    today = OrderInfo.objects.filter(status=Status.UNSEND).get()
    refund_of(today, "40.00", timezone.now())
    html = dashboard_html(client, UserFactory(is_staff=True, is_superuser=True))
    kpis = html[html.index('id="dashboard-kpis-1"') : html.index('id="dashboard-kpis-2"')]
    assert "¥110.00" in kpis and "¥40.00" in kpis and "¥70.00" in kpis


def test_who_may_not_see_refunds_gets_neither_refunds_nor_net_income(client, shop_day):
    html = dashboard_html(client, staff_with("orders.view_orderinfo"))
    assert "支付金额" in html
    assert "退款金额" not in html and "净收入" not in html


def test_an_order_timed_out_since_the_figures_were_kept_leaves_the_list(client, shop_day):
    dashboard_figures()
    kept = cache.get(FIGURES_CACHE_KEY)
    kept["due_soon"][0]["deadline"] = (timezone.now() - timedelta(seconds=1)).timestamp()
    cache.set(FIGURES_CACHE_KEY, kept, 60)
    html = dashboard_html(client, UserFactory(is_staff=True, is_superuser=True))
    assert shop_day["due"].order_id not in html


def test_the_page_takes_the_same_queries_for_one_order_and_for_thirty(client, buyer, shop_day):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    def page_queries():
        cache.delete(FIGURES_CACHE_KEY)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/").status_code == 200
        return len(captured)

    few = page_queries()
    for day in range(29):
        order_at(buyer, timezone.now() - timedelta(days=day), lines=[(shop_day["best"], 1)])
    assert page_queries() == few


ROLE_BLOCKS = ("新增会员", "支付金额", "退款金额", "净收入", "即将超时的未支付订单", "库存预警", "补货")


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("商品运营", {"库存预警", "补货"}),
        ("订单客服", {"新增会员", "支付金额", "退款金额", "净收入", "即将超时的未支付订单"}),
        ("数据分析", {"新增会员", "支付金额", "退款金额", "净收入", "即将超时的未支付订单", "库存预警"}),
    ],
)
def test_each_role_gets_a_working_page_with_what_it_may_see(client, shop_day, role, sees):
    staff = operator_in(role)
    html = dashboard_html(client, staff)
    assert {block for block in ROLE_BLOCKS if block in html} == sees
