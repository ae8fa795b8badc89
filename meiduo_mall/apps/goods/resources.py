"""SKUs in spreadsheets: the export of the list page, and the import of new prices and stock.

The import file may be an export edited in Excel: it reads SKU编号, 价格 and 库存 and ignores every other
column. It never creates an SKU, and writes only those two fields, so the sales an order counts meanwhile
(orders' conditional stock UPDATE) are not written back from the spreadsheet's old copy. 库存 is a stocktake:
a number there replaces the stock. Without the column, or with the cell empty, the stock is not written at all,
so a price change never undoes what orders took since the file was exported.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from meiduo_mall.utils.spreadsheets import MoneyWidget, SpreadsheetResource, YesNoWidget

from .models import SKU

ID_COLUMN, PRICE_COLUMN, STOCK_COLUMN = "SKU编号", "价格", "库存"
# Header spellings an operator may type for the id column.
ID_ALIASES = {"id", "ID", "sku_id", "SKU ID", "编号"}
MAX_PRICE = Decimal("99999999.99")  # max_digits=10, decimal_places=2


class SKUResource(SpreadsheetResource):
    id = fields.Field(attribute="id", column_name=ID_COLUMN, widget=widgets.IntegerWidget())
    name = fields.Field(attribute="name", column_name="名称")
    caption = fields.Field(attribute="caption", column_name="副标题")
    goods = fields.Field(attribute="goods__name", column_name="商品")
    category = fields.Field(attribute="category__name", column_name="类别")
    price = fields.Field(attribute="price", column_name=PRICE_COLUMN, widget=MoneyWidget())
    cost_price = fields.Field(attribute="cost_price", column_name="进价", widget=MoneyWidget())
    market_price = fields.Field(attribute="market_price", column_name="市场价", widget=MoneyWidget())
    stock = fields.Field(attribute="stock", column_name=STOCK_COLUMN, widget=widgets.IntegerWidget())
    sales = fields.Field(attribute="sales", column_name="销量", widget=widgets.IntegerWidget())
    comments = fields.Field(attribute="comments", column_name="评价数", widget=widgets.IntegerWidget())
    is_launched = fields.Field(attribute="is_launched", column_name="是否上架", widget=YesNoWidget())

    class Meta:
        model = SKU
        name = "商品SKU"
        fields = (
            "id", "name", "caption", "goods", "category", "price", "cost_price", "market_price",
            "stock", "sales", "comments", "is_launched",
        )  # fmt: skip
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("goods", "category")


class PriceWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        try:
            price = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"价格“{text}”不是数字") from None
        if not price.is_finite() or price < 0:
            raise ValueError(f"价格“{text}”须为不小于 0 的数字")
        if price.as_tuple().exponent < -2 and price != price.quantize(Decimal("0.01")):
            raise ValueError(f"价格“{text}”最多两位小数")
        if price > MAX_PRICE:
            raise ValueError(f"价格“{text}”超出上限 {MAX_PRICE}")
        return price.quantize(Decimal("0.01"))


class StockWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        try:
            stock = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"库存“{text}”不是整数") from None
        # Excel hands whole numbers over as 12.0.
        if not stock.is_finite() or stock != stock.to_integral_value():
            raise ValueError(f"库存“{text}”不是整数")
        if stock < 0:
            raise ValueError(f"库存“{text}”不能为负数")
        if stock > 2**31 - 1:
            raise ValueError(f"库存“{text}”过大")
        return int(stock)


class SKUPriceStockResource(SpreadsheetResource):
    """New prices and stock of existing SKUs, by SKU id."""

    id = fields.Field(attribute="id", column_name=ID_COLUMN, widget=widgets.IntegerWidget())
    price = fields.Field(attribute="price", column_name=PRICE_COLUMN, widget=PriceWidget())
    stock = fields.Field(attribute="stock", column_name=STOCK_COLUMN, widget=StockWidget())

    class Meta:
        model = SKU
        name = "商品价格与库存"
        fields = ("id", "price", "stock")
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = False

    def before_import(self, dataset, **kwargs):
        headers = [str(header).strip() if header is not None else "" for header in dataset.headers]
        dataset.headers = [ID_COLUMN if header in ID_ALIASES else header for header in headers]
        # Excel keeps rows that were only formatted or cleared; they are no SKU's.
        for index in reversed(range(len(dataset))):
            if all(value is None or str(value).strip() == "" for value in dataset[index]):
                del dataset[index]
        missing = [column for column in (ID_COLUMN, PRICE_COLUMN) if column not in dataset.headers]
        if missing:
            raise ValidationError(
                f"文件缺少列：{'、'.join(missing)}（需要 {ID_COLUMN}、{PRICE_COLUMN}，{STOCK_COLUMN}可选）"
            )

    def get_instance(self, instance_loader, row):
        text = str(row.get(ID_COLUMN) or "").strip()
        try:
            sku_id = int(Decimal(text))
        except (InvalidOperation, ValueError):
            raise ValidationError({ID_COLUMN: f"SKU编号“{text}”不是整数"}) from None
        sku = SKU.objects.filter(id=sku_id).first()
        if sku is None:
            raise ValidationError({ID_COLUMN: f"没有编号为 {sku_id} 的SKU"})
        return sku

    def import_instance(self, instance, row, **kwargs):
        # The preview names a bad cell by its column (库存), not by the model's field (stock).
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            columns = {field.attribute: field.column_name for field in self.get_import_fields()}
            by_column = {columns.get(name, name): errors for name, errors in error.error_dict.items()}
            raise ValidationError(by_column) from None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # The id only finds the SKU; it is never written.
        if field.attribute == "id":
            return
        if field.attribute == "stock":
            cell = row.get(STOCK_COLUMN)
            instance.stock_from_file = cell is not None and str(cell).strip() != ""
            if not instance.stock_from_file:
                return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def do_instance_save(self, instance, is_create):
        # update_fields: the row of the spreadsheet knows nothing newer about sales or the rest.
        written = ["price", "stock", "update_time"] if instance.stock_from_file else ["price", "update_time"]
        instance.save(update_fields=written)
