"""The back-office dashboard on the demo (`make run`: SQLite and the seeded catalog with its finished orders):
the page renders with the demo data, and SQLite groups by Beijing day as MariaDB does. Each check runs in a
transaction it rolls back, so the other demo tests find the demo as it was."""

import json

# Runs in `manage.py shell` on the demo's settings; prints one JSON line.
ROLLED_BACK = """
import json
from django.db import transaction

class Done(Exception):
    pass

try:
    with transaction.atomic():
{body}
        raise Done
except Done:
    print(json.dumps(found))
"""

RENDER = """
from django.test import Client
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.users.models import User
from meiduo_mall.dashboard import compute_figures

operator = User.objects.create_superuser("dashboard-check", password="dashboard-check-1", mobile="13700000001")
client = Client()
client.force_login(operator)
response = client.get("/admin/")
figures = compute_figures()
found = {
    "status": response.status_code,
    "html": response.content.decode(),
    "orders": sum(figures["orders"]),
    "demo_orders": OrderInfo.objects.exclude(status=OrderInfo.Status.CANCELED).count(),
    "top_skus": figures["top_skus"],
}
"""

MIDNIGHT = """
import datetime
from decimal import Decimal
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.users.models import Address
from meiduo_mall.dashboard import compute_figures

UTC = datetime.UTC
address = Address.objects.filter(user__username="demo").first()
placed = {
    "a": (datetime.datetime(2030, 1, 14, 16, 30, tzinfo=UTC), "30.10", 2),  # 00:30 on 15 January in Beijing
    "b": (datetime.datetime(2030, 1, 14, 15, 30, tzinfo=UTC), "20.20", 5),  # 23:30 on the 14th
    "c": (datetime.datetime(2030, 1, 14, 17, 0, tzinfo=UTC), "5.05", 1),  # unpaid: an order, no money
    "d": (datetime.datetime(2030, 1, 14, 17, 0, tzinfo=UTC), "7.00", 6),  # cancelled: nothing
    "e": (datetime.datetime(2029, 12, 16, 16, 0, tzinfo=UTC), "40.00", 2),  # the first of the 30 days
    "f": (datetime.datetime(2029, 12, 16, 15, 59, 59, tzinfo=UTC), "50.00", 2),  # before them
}
for suffix, (create_time, amount, status) in placed.items():
    order = OrderInfo.objects.create(
        order_id=f"20300114dashboard{suffix}", user=address.user, address=address,
        total_amount=Decimal(amount), freight=Decimal("0"), status=status,
    )
    OrderInfo.objects.filter(pk=order.pk).update(create_time=create_time)
figures = compute_figures(datetime.datetime(2030, 1, 15, 2, 0, tzinfo=UTC))
found = {key: figures[key] for key in ("days", "orders", "amounts")}
"""


def run_rolled_back(demo, body):
    indented = "\n".join(f"        {line}" if line else "" for line in body.strip().splitlines())
    return json.loads(demo.manage(ROLLED_BACK.format(body=indented)).strip().splitlines()[-1])


def test_the_dashboard_renders_with_the_demo_data(demo):
    found = run_rolled_back(demo, RENDER)
    assert found["status"] == 200
    html = found["html"]
    assert "今日" in html and "近30天订单数" in html and "近30天支付金额" in html and "库存预警" in html
    assert found["orders"] == found["demo_orders"] > 0
    assert len(found["top_skus"]) == 10
    assert found["top_skus"][0]["name"] in html


def test_sqlite_groups_the_figures_by_beijing_day(demo):
    found = run_rolled_back(demo, MIDNIGHT)
    assert (found["days"][0], found["days"][-1]) == ("2029-12-17", "2030-01-15")
    assert (found["orders"][-1], found["amounts"][-1]) == (2, "30.10")
    assert (found["orders"][-2], found["amounts"][-2]) == (1, "20.20")
    assert (found["orders"][0], found["amounts"][0]) == (1, "40.00")
    assert sum(found["orders"]) == 4
