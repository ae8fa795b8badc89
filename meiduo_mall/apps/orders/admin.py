from django.contrib import admin, messages
from import_export import fields, resources
from import_export.admin import ExportActionModelAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm

from . import services
from .models import OrderGoods, OrderInfo


class OrderResource(resources.ModelResource):
    order_id = fields.Field(attribute="order_id", column_name="订单号")
    username = fields.Field(attribute="user__username", column_name="下单用户")
    create_time = fields.Field(attribute="create_time", column_name="下单时间")
    total_count = fields.Field(attribute="total_count", column_name="商品总数")
    total_amount = fields.Field(attribute="total_amount", column_name="订单金额")
    freight = fields.Field(attribute="freight", column_name="运费")
    pay_method = fields.Field(attribute="get_pay_method_display", column_name="支付方式")
    status = fields.Field(attribute="get_status_display", column_name="订单状态")

    class Meta:
        model = OrderInfo
        fields = (
            "order_id",
            "username",
            "create_time",
            "total_count",
            "total_amount",
            "freight",
            "pay_method",
            "status",
        )

    def get_queryset(self):
        return super().get_queryset().select_related("user")


class OrderGoodsInline(TabularInline):
    model = OrderGoods
    extra = 0
    can_delete = False
    fields = ("sku", "count", "price", "is_commented", "score", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OrderInfo)
class OrderInfoAdmin(ModelAdmin, ExportActionModelAdmin):
    resource_classes = [OrderResource]
    export_form_class = ExportForm
    list_display = ("order_id", "user", "total_count", "total_amount", "pay_method", "status", "create_time")
    list_filter = ("status", "pay_method", "create_time")
    search_fields = ("order_id", "user__username", "user__mobile")
    list_select_related = ("user",)
    ordering = ("-create_time",)
    inlines = [OrderGoodsInline]
    # Money, lines and states change only through the shop's rules (services), never by hand.
    readonly_fields = (
        "order_id",
        "user",
        "address",
        "total_count",
        "total_amount",
        "freight",
        "pay_method",
        "status",
        "create_time",
        "update_time",
    )
    actions = ["ship"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="发货", permissions=["change"])
    def ship(self, request, queryset):
        selected = queryset.count()
        shipped = services.ship(queryset)
        skipped = selected - shipped
        self.message_user(request, f"已发货 {shipped} 个订单", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} 个订单不是待发货状态，未处理", messages.WARNING)
