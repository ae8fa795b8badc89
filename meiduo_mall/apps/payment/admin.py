from django.contrib import admin
from unfold.admin import ModelAdmin

from .models import Payment


@admin.register(Payment)
class PaymentAdmin(ModelAdmin):
    """Alipay trades as recorded; looked up by trade number when Alipay or a buyer asks."""

    list_display = ("trade_id", "order", "refund_needed", "create_time")
    list_filter = ("refund_needed",)
    search_fields = ("trade_id", "order__order_id")
    list_select_related = ("order",)
    ordering = ("-create_time",)
    readonly_fields = ("order", "trade_id", "refund_needed", "create_time", "update_time")

    # Only a verified Alipay notice or return records a payment; nobody types one in or edits it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
