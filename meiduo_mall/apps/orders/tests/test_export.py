"""Orders exported from the back office's list: the filtered rows, in CSV that Excel reads and in XLSX, in
Beijing time."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.utils.tests.spreadsheets import CSV, XLSX, as_dicts, csv_rows, export, operator_with, xlsx_rows

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
CHANGELIST = "/admin/orders/orderinfo/"
# 01:02:03.456789 UTC on Dec 1 is 09:02:03 in Beijing.
PLACED_AT = datetime(2026, 12, 1, 1, 2, 3, 456789, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def orders(make_order):
    waiting = make_order(total="12.50", status=OrderInfo.Status.UNSEND, pay_method=OrderInfo.PayMethod.CASH)
    unpaid = make_order(status=OrderInfo.Status.UNPAID)
    OrderInfo.objects.filter(pk=waiting.pk).update(create_time=PLACED_AT, carrier="顺丰速运", tracking_number="SF1")
    return waiting, unpaid


@pytest.fixture
def exporter():
    return operator_with("orders.view_orderinfo", "orders.export_orderinfo")[1]


def test_csv_export_has_a_bom_chinese_headers_beijing_time_and_only_the_filtered_rows(orders, exporter):
    waiting, _ = orders
    response = export(exporter, CHANGELIST, CSV, "status__exact=2")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].endswith('.csv"')
    [row] = as_dicts(csv_rows(response.content))
    assert row == {
        "订单号": waiting.order_id,
        "下单用户": waiting.user.username,
        "下单时间": "2026-12-01 09:02:03",
        "商品总数": "1",
        "订单金额": "12.50",
        "优惠金额": "0.00",
        "运费": "10.00",
        "支付方式": "货到付款",
        "订单状态": "待发货",
        "收货人": "张三",
        "收货人手机": "13800138000",
        "收货地址": "北京市北京市东城区东长安街1号",
        "快递公司": "顺丰速运",
        "快递单号": "SF1",
        "发货时间": "",
    }


def test_xlsx_export_holds_the_same_rows_with_numbers_and_local_times(orders, exporter):
    waiting, _ = orders
    response = export(exporter, CHANGELIST, XLSX, "status__exact=2")

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    [row] = as_dicts(xlsx_rows(response.content))
    assert row["订单号"] == waiting.order_id
    assert row["下单时间"] == datetime(2026, 12, 1, 9, 2, 3)
    assert row["订单金额"] == Decimal("12.50")
    assert row["订单状态"] == "待发货"


def test_search_of_the_list_applies_to_the_export(orders, exporter):
    _, unpaid = orders
    rows = as_dicts(csv_rows(export(exporter, CHANGELIST, CSV, f"q={unpaid.order_id}").content))
    assert [row["订单号"] for row in rows] == [unpaid.order_id]


def test_without_the_export_right_there_is_no_button_and_no_export(orders):
    _, viewer = operator_with("orders.view_orderinfo")
    listing = viewer.get(CHANGELIST)
    assert listing.status_code == 200
    assert f"{CHANGELIST}export/" not in listing.content.decode()
    assert export(viewer, CHANGELIST, CSV).status_code == 403


def test_the_export_button_shows_with_the_right(orders, exporter):
    assert f"{CHANGELIST}export/" in exporter.get(CHANGELIST).content.decode()


def test_only_csv_and_xlsx_are_offered(exporter):
    form = exporter.get(f"{CHANGELIST}export/").content.decode()
    assert ">csv<" in form and ">xlsx<" in form
    assert ">json<" not in form and ">tsv<" not in form and ">yaml<" not in form
