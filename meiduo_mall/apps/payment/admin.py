from django.contrib import admin
from unfold.admin import ModelAdmin

from meiduo_mall.utils.admin import ReadOnlyAdmin

from .models import Payment


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin, ModelAdmin):
    """Alipay trades as recorded; looked up by trade number when Alipay or a buyer asks. Only a verified Alipay
    notice or return records a payment."""

    list_display = ("trade_id", "order", "refund_needed", "create_time")
    list_filter = ("refund_needed",)
    search_fields = ("trade_id", "order__order_id")
    list_select_related = ("order",)
    ordering = ("-create_time",)
    readonly_fields = ("order", "trade_id", "refund_needed", "create_time", "update_time")
