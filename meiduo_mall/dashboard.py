"""The back-office home page: today's figures and the last two weeks of orders, as charts."""

import json
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from meiduo_mall.apps.orders.models import OrderInfo

CHART_DAYS = 14
# Orders that were placed and not cancelled count as sales.
SOLD_STATUSES = [
    OrderInfo.Status.UNPAID,
    OrderInfo.Status.UNSEND,
    OrderInfo.Status.UNRECEIVED,
    OrderInfo.Status.UNCOMMENT,
    OrderInfo.Status.FINISHED,
]


def daily_order_figures(days=CHART_DAYS):
    # Days are summed here rather than with TruncDate: MySQL/MariaDB need their time zone
    # tables loaded for that, and two weeks of orders are few rows.
    today = timezone.localdate()
    first_day = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first_day, time.min))
    figures = {first_day + timedelta(days=offset): [0, Decimal("0")] for offset in range(days)}
    rows = OrderInfo.objects.filter(create_time__gte=since, status__in=SOLD_STATUSES).values_list(
        "create_time", "total_amount"
    )
    for create_time, amount in rows:
        day = figures.get(timezone.localdate(create_time))
        if day is not None:
            day[0] += 1
            day[1] += amount
    return [{"day": day, "orders": orders, "amount": amount} for day, (orders, amount) in figures.items()]


def dashboard_callback(request, context):
    figures = daily_order_figures()
    today = figures[-1]
    labels = [f["day"].strftime("%m-%d") for f in figures]
    context.update(
        {
            "kpis": [
                {"title": "今日订单", "value": today["orders"]},
                {"title": "今日销售额", "value": f"¥{today['amount']:.2f}"},
                {"title": "待发货订单", "value": OrderInfo.objects.filter(status=OrderInfo.Status.UNSEND).count()},
                {"title": "注册用户", "value": get_user_model().objects.count()},
            ],
            "orders_chart": json.dumps(
                {
                    "labels": labels,
                    "datasets": [{"label": "订单数", "data": [f["orders"] for f in figures]}],
                }
            ),
            "sales_chart": json.dumps(
                {
                    "labels": labels,
                    "datasets": [{"label": "销售额（元）", "data": [float(f["amount"]) for f in figures]}],
                }
            ),
        }
    )
    return context
