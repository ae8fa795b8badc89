"""The back-office home page (unfold's DASHBOARD_CALLBACK): today's and 30 days' figures, the best sellers,
low stock and the unpaid orders about to time out.

What the figures count, by the day of placement (or of joining) in Beijing time:
- 订单数: orders placed and not cancelled (status 1–5).
- 支付金额: the total_amount of the orders whose status is 2–5. One rule for both ways to pay: an Alipay order
  reaches 2 only through its payment notice (orders.services.mark_paid), a cash-on-delivery order is placed at
  2 and never cancelled; so status 2–5 is "paid through Alipay" or "placed to be paid on delivery".
- 新增会员: accounts joined, staff left out.
- 热销商品: order lines of those paid orders, by units sold.
- 退款金额: refunds the gateway has paid back, by the Beijing day they were paid back (refunded_time).
- 净收入: 支付金额 − 退款金额 of the same days; 支付金额 stays gross.
A conversion rate is left out: visits of the detail pages are not recorded.

The figures are the same for every operator and kept in the cache for a minute as plain JSON-safe values;
what each operator may see and the links they may follow are chosen per request.
"""

import datetime
import json
import math
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, DateTimeField, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from redis.exceptions import RedisError

from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo, Refund
from meiduo_mall.utils.admin import yuan
from meiduo_mall.utils.redis_breaker import log_worked_around

CHART_DAYS = 30
LOW_STOCK = 10
LIST_LENGTH = 10
# "About to time out": the unpaid orders whose deadline falls within this much from now.
DUE_SOON = timedelta(minutes=10)
# Named after the figures' shape: figures kept by a release without refunds are not read as this one's.
FIGURES_CACHE_KEY = "dashboard:figures:refunds"
FIGURES_CACHE_SECONDS = 60
# Asia/Shanghai has kept +08:00 all year since 1991, so a Beijing day is a UTC day shifted by 8 hours. Grouping
# on that shift needs none of MariaDB's time zone tables, which are not loaded (CONVERT_TZ would give NULL).
BEIJING_OFFSET = timedelta(hours=8)

PLACED_STATUSES = [
    OrderInfo.Status.UNPAID,
    OrderInfo.Status.UNSEND,
    OrderInfo.Status.UNRECEIVED,
    OrderInfo.Status.UNCOMMENT,
    OrderInfo.Status.FINISHED,
]
PAID_STATUSES = PLACED_STATUSES[1:]


def beijing_day(field):
    shifted = ExpressionWrapper(F(field) + BEIJING_OFFSET, output_field=DateTimeField())
    return TruncDate(shifted, tzinfo=datetime.UTC)


def money(amount):
    return f"{(amount or Decimal('0')):.2f}"


def compute_figures(now=None):
    """Every figure of the dashboard, one query per list or series, as JSON-safe values."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = [today - timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1)]
    since = timezone.make_aware(datetime.datetime.combine(days[0], datetime.time.min))

    orders = {
        row["day"]: row
        for row in OrderInfo.objects.filter(status__in=PLACED_STATUSES, create_time__gte=since)
        .annotate(day=beijing_day("create_time"))
        .values("day")
        .annotate(orders=Count("pk"), amount=Sum("total_amount", filter=Q(status__in=PAID_STATUSES)))
        .order_by()
    }
    refunds = dict(
        Refund.objects.filter(status=Refund.Status.SUCCEEDED, refunded_time__gte=since)
        .annotate(day=beijing_day("refunded_time"))
        .values("day")
        .annotate(amount=Sum("amount"))
        .order_by()
        .values_list("day", "amount")
    )
    members = dict(
        get_user_model()
        .objects.filter(date_joined__gte=since, is_staff=False)
        .annotate(day=beijing_day("date_joined"))
        .values("day")
        .annotate(members=Count("pk"))
        .order_by()
        .values_list("day", "members")
    )
    top_skus = (
        OrderGoods.objects.filter(order__status__in=PAID_STATUSES, order__create_time__gte=since)
        .values("sku_id", "sku__name")
        .annotate(
            sold=Sum("count"),
            amount=Sum(F("count") * F("price"), output_field=DecimalField(max_digits=14, decimal_places=2)),
        )
        .order_by("-sold", "-amount", "sku_id")[:LIST_LENGTH]
    )
    low_stock = SKU.objects.filter(is_launched=True, stock__lt=LOW_STOCK)
    timeout = timedelta(minutes=settings.UNPAID_ORDER_TIMEOUT_MINUTES)
    # The list lives a cache period: it reaches that much further, and each request keeps what is due by then.
    due_soon = (
        OrderInfo.objects.filter(
            status=OrderInfo.Status.UNPAID,
            create_time__gt=now - timeout,
            create_time__lte=now - timeout + DUE_SOON + timedelta(seconds=FIGURES_CACHE_SECONDS),
        )
        .order_by("create_time")
        .values("order_id", "user__username", "total_amount", "create_time")[:LIST_LENGTH]
    )
    return {
        "days": [day.isoformat() for day in days],
        "orders": [orders[day]["orders"] if day in orders else 0 for day in days],
        "amounts": [money(orders[day]["amount"]) if day in orders else money(None) for day in days],
        "refunds": [money(refunds.get(day)) for day in days],
        "members": [members.get(day, 0) for day in days],
        "top_skus": [
            {"id": row["sku_id"], "name": row["sku__name"], "sold": row["sold"], "amount": money(row["amount"])}
            for row in top_skus
        ],
        "low_stock": list(low_stock.order_by("stock", "id").values("id", "name", "stock")[:LIST_LENGTH]),
        "low_stock_count": low_stock.count(),
        "due_soon": [
            {
                "order_id": row["order_id"],
                "username": row["user__username"],
                "amount": money(row["total_amount"]),
                "deadline": (row["create_time"] + timeout).timestamp(),
            }
            for row in due_soon
        ],
    }


def dashboard_figures():
    """compute_figures() kept for a minute; with Redis down, computed for each request (the page still works)."""
    try:
        figures = cache.get(FIGURES_CACHE_KEY)
    except RedisError as exc:
        log_worked_around("dashboard cache unavailable, figures computed for this request: %r", exc)
        return compute_figures()
    if figures is None:
        figures = compute_figures()
        try:
            cache.set(FIGURES_CACHE_KEY, figures, FIGURES_CACHE_SECONDS)
        except RedisError as exc:
            log_worked_around("dashboard cache unavailable, figures not kept: %r", exc)
    return figures


def kpi_cards(figures, may_see_orders, may_see_members, days, may_see_refunds=False):
    orders = figures["orders"][-days:]
    paid = sum(map(Decimal, figures["amounts"][-days:]))
    cards = []
    if may_see_members:
        cards.append({"title": "新增会员", "value": sum(figures["members"][-days:])})
    if may_see_orders:
        cards.append({"title": "订单数", "value": sum(orders)})
        cards.append({"title": "支付金额", "value": yuan(paid)})
        if may_see_refunds:
            refunded = sum(map(Decimal, figures["refunds"][-days:]))
            cards.append({"title": "退款金额", "value": yuan(refunded)})
            cards.append({"title": "净收入", "value": yuan(paid - refunded)})
    return cards


def chart(labels, *series):
    """Chart.js data: the day labels and one dataset per (label, values)."""
    datasets = [{"label": label, "data": data} for label, data in series]
    return json.dumps({"labels": labels, "datasets": datasets})


def top_skus_table(figures):
    rows = [[row["name"], row["sold"], yuan(Decimal(row["amount"]))] for row in figures["top_skus"]]
    return {"headers": ["商品", "销量", "金额"], "rows": rows}


def low_stock_table(figures, may_restock):
    headers = ["商品", "库存"] + (["操作"] if may_restock else [])
    rows = []
    for sku in figures["low_stock"]:
        row = [sku["name"], sku["stock"]]
        if may_restock:
            row.append(format_html('<a href="{}" class="text-primary-600">补货</a>', sku_change_url(sku["id"])))
        rows.append(row)
    return {"headers": headers, "rows": rows}


def sku_change_url(sku_id):
    return reverse("admin:goods_sku_change", args=[sku_id])


def due_soon_table(figures, now):
    rows = []
    for order in figures["due_soon"]:
        seconds_left = order["deadline"] - now.timestamp()
        if 0 < seconds_left <= DUE_SOON.total_seconds():
            link = format_html(
                '<a href="{}" class="text-primary-600">{}</a>',
                reverse("admin:orders_orderinfo_change", args=[order["order_id"]]),
                order["order_id"],
            )
            minutes_left = f"{math.ceil(seconds_left / 60)} 分钟"
            rows.append([link, order["username"], yuan(Decimal(order["amount"])), minutes_left])
    return {"headers": ["订单号", "下单用户", "金额", "剩余时间"], "rows": rows}


def dashboard_callback(request, context):
    user = request.user
    may_see_orders = user.has_perm("orders.view_orderinfo")
    may_see_members = user.has_perm("users.view_user")
    may_see_catalog = user.has_perm("goods.view_sku")
    may_see_refunds = user.has_perm("orders.view_refund")
    figures = dashboard_figures()
    labels = [day[5:] for day in figures["days"]]
    context["kpi_groups"] = [
        group
        for group in (
            {"title": "今日", "cards": kpi_cards(figures, may_see_orders, may_see_members, 1, may_see_refunds)},
            {
                "title": f"近{CHART_DAYS}天",
                "cards": kpi_cards(figures, may_see_orders, may_see_members, CHART_DAYS, may_see_refunds),
            },
        )
        if group["cards"]
    ]
    context["titles"] = {
        "orders_chart": f"近{CHART_DAYS}天订单数",
        "amount_chart": f"近{CHART_DAYS}天支付金额",
        "top_skus": f"热销商品 TOP{LIST_LENGTH}（近{CHART_DAYS}天）",
        "low_stock": f"库存预警（库存少于{LOW_STOCK}）",
        "due_soon": f"即将超时的未支付订单（{DUE_SOON.seconds // 60}分钟内）",
    }
    if may_see_orders:
        context["orders_chart"] = chart(labels, ("订单数", figures["orders"]))
        amount_series = [("支付金额（元）", [float(amount) for amount in figures["amounts"]])]
        if may_see_refunds:
            amount_series.append(("退款金额（元）", [float(amount) for amount in figures["refunds"]]))
        context["amount_chart"] = chart(labels, *amount_series)
        context["due_soon"] = due_soon_table(figures, timezone.now())
        context["unpaid_orders_link"] = format_html(
            '<a href="{}?status__exact={}" class="text-primary-600">查看全部待支付订单</a>',
            reverse("admin:orders_orderinfo_changelist"),
            OrderInfo.Status.UNPAID.value,
        )
    if may_see_catalog:
        context["top_skus"] = top_skus_table(figures)
        context["low_stock"] = low_stock_table(figures, user.has_perm("goods.change_sku"))
        context["low_stock_summary"] = f"共 {figures['low_stock_count']} 件商品库存不足"
    return context
