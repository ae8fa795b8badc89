from django.contrib import admin, messages
from import_export.admin import ExportActionModelAdmin
from unfold.admin import ModelAdmin, TabularInline

from meiduo_mall.utils.spreadsheets import SpreadsheetAdminMixin

from . import services
from .models import OrderGoods, OrderInfo
from .resources import OrderResource


class OrderGoodsInline(TabularInline):
    model = OrderGoods
    extra = 0
    can_delete = False
    fields = ("sku", "count", "price", "is_commented", "score", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OrderInfo)
class OrderInfoAdmin(SpreadsheetAdminMixin, ModelAdmin, ExportActionModelAdmin):
    resource_classes = [OrderResource]
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
