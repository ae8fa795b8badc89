"""Orders in spreadsheets: one row per order, as the back office's list shows it, with the full address."""

from import_export import fields, widgets

from meiduo_mall.utils.spreadsheets import LocalDateTimeWidget, MoneyWidget, SpreadsheetResource

from .models import OrderInfo


class OrderResource(SpreadsheetResource):
    order_id = fields.Field(attribute="order_id", column_name="订单号")
    username = fields.Field(attribute="user__username", column_name="下单用户")
    create_time = fields.Field(attribute="create_time", column_name="下单时间", widget=LocalDateTimeWidget())
    total_count = fields.Field(attribute="total_count", column_name="商品总数", widget=widgets.IntegerWidget())
    total_amount = fields.Field(attribute="total_amount", column_name="订单金额", widget=MoneyWidget())
    discount = fields.Field(attribute="discount", column_name="优惠金额", widget=MoneyWidget())
    freight = fields.Field(attribute="freight", column_name="运费", widget=MoneyWidget())
    pay_method = fields.Field(attribute="get_pay_method_display", column_name="支付方式")
    status = fields.Field(attribute="get_status_display", column_name="订单状态")
    receiver = fields.Field(attribute="address__receiver", column_name="收货人")
    receiver_mobile = fields.Field(attribute="address__mobile", column_name="收货人手机")
    full_address = fields.Field(column_name="收货地址")
    carrier = fields.Field(attribute="carrier", column_name="快递公司")
    tracking_number = fields.Field(attribute="tracking_number", column_name="快递单号")
    shipped_time = fields.Field(attribute="shipped_time", column_name="发货时间", widget=LocalDateTimeWidget())

    class Meta:
        model = OrderInfo
        name = "订单"
        fields = (
            "order_id", "username", "create_time", "total_count", "total_amount", "discount", "freight", "pay_method",
            "status", "receiver", "receiver_mobile", "full_address", "carrier", "tracking_number", "shipped_time",
        )  # fmt: skip
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("user", "address__province", "address__city", "address__district")

    def dehydrate_full_address(self, order):
        address = order.address
        return f"{address.province.name}{address.city.name}{address.district.name}{address.place}"
