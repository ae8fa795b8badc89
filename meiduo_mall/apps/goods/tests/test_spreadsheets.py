"""SKUs in spreadsheets: the export of the list, and the import of prices and stock (dry run, then one
transaction)."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.utils.tests.spreadsheets import CSV, XLSX, as_dicts, csv_rows, export, operator_with, xlsx_rows
from tests.english_strings import english_in_html
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/goods/sku/"


@pytest.fixture
def skus():
    return [SKUFactory(name=f"导入用商品{n}", price=Decimal("100.00"), stock=10, sales=3) for n in range(3)]


@pytest.fixture
def clerk():
    """An operator of the catalog: may change SKUs, so may import."""
    return operator_with("goods.view_sku", "goods.change_sku", username="商品运营")[1]


def csv_file(rows, name="skus.csv", bom=True):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return SimpleUploadedFile(name, (("\ufeff" if bom else "") + text.getvalue()).encode("utf-8"), "text/csv")


def xlsx_file(rows, name="skus.xlsx"):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    content = io.BytesIO()
    book.save(content)
    return SimpleUploadedFile(name, content.getvalue())


def dry_run(client, upload, file_format=CSV):
    response = client.post(f"{CHANGELIST}import/", {"format": file_format, "resource": "0", "import_file": upload})
    assert response.status_code == 200
    return response


def confirm(client, dry_run_response):
    form = dry_run_response.context["confirm_form"]
    return client.post(f"{CHANGELIST}process_import/", {name: form.initial[name] for name in form.fields})


def prices_and_stock():
    return {sku.id: (sku.price, sku.stock, sku.sales) for sku in SKU.objects.order_by("id")}


def test_export_has_chinese_headers_plain_money_and_the_filtered_rows(skus, settings):
    SKU.objects.filter(pk=skus[0].pk).update(is_launched=False, price=Decimal("12.5"))
    _, exporter = operator_with("goods.view_sku", "goods.export_sku")

    response = export(exporter, CHANGELIST, CSV, "is_launched__exact=0")

    assert response.status_code == 200
    [row] = as_dicts(csv_rows(response.content))
    assert row["SKU编号"] == str(skus[0].id)
    assert row["名称"] == "导入用商品0"
    assert row["价格"] == "12.50"
    assert row["库存"] == "10"
    assert row["是否上架"] == "否"
    assert list(row) == [
        "SKU编号",
        "名称",
        "副标题",
        "商品",
        "类别",
        "价格",
        "进价",
        "市场价",
        "库存",
        "销量",
        "评价数",
        "是否上架",
    ]

    [cells] = as_dicts(xlsx_rows(export(exporter, CHANGELIST, XLSX, "is_launched__exact=0").content))
    assert cells["SKU编号"] == skus[0].id and cells["价格"] == Decimal("12.50") and cells["库存"] == 10


def test_no_export_for_an_operator_without_export_sku(skus, clerk):
    assert f"{CHANGELIST}export/" not in clerk.get(CHANGELIST).content.decode()
    assert export(clerk, CHANGELIST, CSV).status_code == 403


def test_no_import_for_an_operator_who_may_only_view_and_export(skus):
    _, exporter = operator_with("goods.view_sku", "goods.export_sku")
    assert f"{CHANGELIST}import/" not in exporter.get(CHANGELIST).content.decode()
    assert exporter.get(f"{CHANGELIST}import/").status_code == 403


def test_dry_run_lists_an_unknown_sku_a_negative_stock_and_bad_prices_and_changes_nothing(skus, clerk):
    before = prices_and_stock()
    upload = csv_file([
        ["SKU编号", "名称", "价格", "库存"],
        [skus[0].id, "不读这一列", "88.00", "5"],
        [999999, "", "10.00", "1"],
        [skus[1].id, "", "20.00", "-3"],
        [skus[2].id, "", "1.234", "1"],
        [skus[2].id, "", "十元", "1"],
        [skus[2].id, "", "-1", "1"],
    ])  # fmt: skip

    response = dry_run(clerk, upload)

    html = response.content.decode()
    assert response.context.get("confirm_form") is None
    assert "没有编号为 999999 的SKU" in html
    assert "库存“-3”不能为负数" in html
    assert "价格“1.234”最多两位小数" in html
    assert "价格“十元”不是数字" in html
    assert "价格“-1”须为不小于 0 的数字" in html
    invalid = response.context["result"].invalid_rows
    assert [row.number for row in invalid] == [2, 3, 4, 5, 6]
    assert english_in_html(html, data=["skus.csv"]) == []
    assert prices_and_stock() == before


def test_a_clean_file_is_applied_on_confirm_in_full_with_a_log_entry_per_changed_sku(
    skus, clerk, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.GENERATED_STATIC_HTML_FILES_DIR = tmp_path
    # As an edited export: every column there, only 价格 and 库存 read; the third SKU is unchanged.
    upload = xlsx_file([
        ["SKU编号", "名称", "价格", "库存", "销量"],
        [skus[0].id, "改名不生效", 88.5, 5, 999],
        [skus[1].id, None, "20", 0, 999],
        [skus[2].id, None, "100.00", 10, 999],
        [None, None, None, None, None],
    ])  # fmt: skip
    preview = dry_run(clerk, upload, XLSX)
    assert preview.context["confirm_form"] is not None
    assert SKU.objects.get(pk=skus[0].pk).price == Decimal("100.00")

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(clerk, preview)

    assert response.status_code == 302
    assert prices_and_stock() == {
        skus[0].id: (Decimal("88.50"), 5, 3),
        skus[1].id: (Decimal("20.00"), 0, 3),
        skus[2].id: (Decimal("100.00"), 10, 3),
    }
    assert SKU.objects.get(pk=skus[0].pk).name == "导入用商品0"
    logged = LogEntry.objects.filter(action_flag=CHANGE, content_type__model="sku")
    assert sorted(int(entry.object_id) for entry in logged) == [skus[0].id, skus[1].id]
    assert "¥88.50" in (tmp_path / "goods" / f"{skus[0].id}.html").read_text(encoding="utf-8")


def test_a_csv_without_bom_and_with_an_id_header_is_read_too(skus, clerk):
    preview = dry_run(clerk, csv_file([["id", "价格", "库存"], [skus[0].id, "66", "7"]], bom=False))
    confirm(clerk, preview)
    assert prices_and_stock()[skus[0].id] == (Decimal("66.00"), 7, 3)


def test_a_file_without_the_price_column_is_refused(skus, clerk):
    response = dry_run(clerk, csv_file([["SKU编号", "库存"], [skus[0].id, "66"]]))
    assert "文件缺少列：价格" in response.content.decode()
    assert response.context.get("confirm_form") is None


def test_prices_alone_keep_the_stock_that_orders_took_since_the_export(skus, clerk):
    preview = dry_run(clerk, csv_file([["SKU编号", "价格"], [skus[0].id, "66"]]))
    # An order takes 2 between the preview and the confirm, as placement does it.
    SKU.objects.filter(pk=skus[0].pk).update(stock=F("stock") - 2, sales=F("sales") + 2)
    taken = prices_and_stock()[skus[0].id]
    confirm(clerk, preview)
    assert prices_and_stock()[skus[0].id] == (Decimal("66.00"), taken[1], taken[2])


def test_an_empty_stock_cell_keeps_that_skus_stock(skus, clerk):
    before = prices_and_stock()
    preview = dry_run(clerk, csv_file([["SKU编号", "价格", "库存"], [skus[0].id, "66", ""], [skus[1].id, "5", "4"]]))
    confirm(clerk, preview)
    after = prices_and_stock()
    assert after[skus[0].id] == (Decimal("66.00"), before[skus[0].id][1], before[skus[0].id][2])
    assert after[skus[1].id] == (Decimal("5.00"), 4, before[skus[1].id][2])


def test_a_confirm_that_fails_midway_applies_nothing(skus, clerk):
    before = prices_and_stock()
    preview = dry_run(clerk, csv_file([
        ["SKU编号", "价格", "库存"], [skus[0].id, "1.00", "1"], [skus[1].id, "2.00", "2"], [skus[2].id, "3.00", "3"],
    ]))  # fmt: skip
    # Between the preview and the confirm the third SKU is deleted: its row fails after two were written.
    SKU.objects.filter(pk=skus[2].pk).delete()
    del before[skus[2].id]

    response = confirm(clerk, preview)

    assert prices_and_stock() == before
    assert not LogEntry.objects.filter(content_type__model="sku").exists()
    assert response.status_code == 302
    page = clerk.get(response["Location"]).content.decode()
    assert "导入失败，未做任何修改" in page and f"第 3 行：没有编号为 {skus[2].id} 的SKU" in page
