from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.validators import RegexValidator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from import_export.admin import ExportActionModelAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from meiduo_mall.apps.coupons.pricing import describe
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.utils.admin import ReadOnlyInline, sku_thumbnail, yuan, yuan_column
from meiduo_mall.utils.spreadsheets import SpreadsheetAdminMixin

from . import services
from .admin_freight import FreightRuleAdmin  # noqa: F401  registers the freight rules' pages
from .admin_returns import order_refunds_table, order_returns_table
from .exceptions import OrderStateError
from .models import OrderGoods, OrderInfo, OrderNote
from .resources import OrderResource

Status = OrderInfo.Status

# The carriers most parcels leave with; anything else is typed in under 其他.
CARRIERS = ("顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "京东物流", "EMS", "邮政快递包裹")
OTHER_CARRIER = "其他"


class ShipmentForm(forms.Form):
    carrier = forms.ChoiceField(
        label="快递公司",
        choices=[(name, name) for name in (*CARRIERS, OTHER_CARRIER)],
        widget=UnfoldAdminSelectWidget,
        error_messages={"required": "请选择快递公司", "invalid_choice": "请选择快递公司"},
    )
    other_carrier = forms.CharField(
        label="其他快递公司",
        required=False,
        max_length=services.CARRIER_MAX_LENGTH,
        widget=UnfoldAdminTextInputWidget,
        help_text="快递公司选“其他”时填写",
    )
    tracking_number = forms.CharField(
        label="快递单号",
        min_length=6,
        max_length=services.TRACKING_NUMBER_MAX_LENGTH,
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", "快递单号只能包含字母、数字和“-”")],
        widget=UnfoldAdminTextInputWidget,
        error_messages={
            "required": "请填写快递单号",
            "min_length": "快递单号至少 %(limit_value)d 位",
            "max_length": "快递单号最多 %(limit_value)d 位",
        },
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("carrier") == OTHER_CARRIER:
            if not cleaned.get("other_carrier"):
                self.add_error("other_carrier", "请填写快递公司名称")
            else:
                cleaned["carrier"] = cleaned["other_carrier"]
        return cleaned


class SelectedShipmentForm(ShipmentForm):
    """One row of the bulk ship page: the shipment of one of the selected orders."""

    order_id = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, selected_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.selected_ids = selected_ids

    def clean_order_id(self):
        order_id = self.cleaned_data["order_id"]
        if order_id not in self.selected_ids:
            raise forms.ValidationError("订单不在所选范围内")
        return order_id


ShipmentFormSet = forms.formset_factory(SelectedShipmentForm, extra=0)


# Who moved an order when no operator did: the buyer, Alipay's notice or the timeout.
UNATTENDED_MOVES = {
    (Status.UNPAID, Status.UNSEND): "支付宝支付",
    (Status.UNPAID, Status.CANCELED): "买家或超时自动取消",
    (Status.UNRECEIVED, Status.UNCOMMENT): "买家",
    (Status.UNCOMMENT, Status.FINISHED): "买家",
}
HISTORY_CELL = 'style="padding:4px 24px 4px 0;text-align:left"'


def local_time(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"


class OrderGoodsInline(ReadOnlyInline):
    model = OrderGoods
    fields = ("thumbnail", "sku", "count", "price", "line_total", "is_commented", "score", "comment")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sku")

    @admin.display(description="图片")
    def thumbnail(self, line):
        return sku_thumbnail(line.sku)

    @admin.display(description="小计")
    def line_total(self, line):
        return yuan(line.price * line.count)


class OrderNoteInline(TabularInline):
    """Notes operators keep on the order; written once, by the operator who saves them, and never edited."""

    model = OrderNote
    extra = 1
    can_delete = False
    hide_title = True
    fields = ("text", "author", "create_time")
    readonly_fields = ("author", "create_time")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("orders.add_ordernote")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrderInfo)
class OrderInfoAdmin(SpreadsheetAdminMixin, ModelAdmin, ExportActionModelAdmin):
    resource_classes = [OrderResource]
    list_display = (
        "order_id",
        "user",
        "total_count",
        yuan_column("total_amount", "订单金额"),
        "pay_method",
        "status",
        "shipment_display",
        "create_time",
    )
    list_filter = ("status", "pay_method", "create_time")
    search_fields = ("order_id", "user__username", "user__mobile", "tracking_number")
    list_select_related = ("user",)
    ordering = ("-create_time",)
    inlines = [OrderGoodsInline, OrderNoteInline]
    fieldsets = (
        (None, {"fields": ("order_id", "user", "status", "pay_method", "create_time", "update_time")}),
        ("金额", {"fields": ("total_count", "total_amount", "freight", "discount", "coupon_used")}),
        ("收货信息", {"fields": ("receiver", "receiver_mobile", "full_address")}),
        ("支付", {"fields": ("payments",)}),
        ("物流", {"fields": ("carrier", "tracking_number", "shipped_time")}),
        ("状态记录", {"fields": ("status_history",)}),
        ("售后", {"fields": ("refund_records", "return_requests")}),
    )
    # Money, lines and states change only through the shop's rules (services), never by hand.
    readonly_fields = (
        "order_id",
        "user",
        "total_count",
        "total_amount",
        "freight",
        "discount",
        "coupon_used",
        "pay_method",
        "status",
        "create_time",
        "update_time",
        "receiver",
        "receiver_mobile",
        "full_address",
        "payments",
        "carrier",
        "tracking_number",
        "shipped_time",
        "status_history",
        "refund_records",
        "return_requests",
    )
    actions = ["ship", "cancel_unpaid"]
    actions_detail = ["ship_detail", "cancel_detail"]

    def has_add_permission(self, request):
        return False

    # An order is never deleted: an unpaid one is cancelled (its stock given back), the others stay on record.
    def has_delete_permission(self, request, obj=None):
        return False

    # Every field is read-only; "change" only lets the holders of add_ordernote save the page with a new note.
    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and request.user.has_perm("orders.add_ordernote")

    def has_ship_order_permission(self, request, obj=None):
        return request.user.has_perm("orders.ship_order")

    def has_cancel_order_permission(self, request, obj=None):
        return request.user.has_perm("orders.cancel_order")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_actions_detail(self, request, object_id):
        """Only the steps the order's status allows: 取消 while it is unpaid, 发货 and 取消 (with its refund)
        while it waits for shipment."""
        status = OrderInfo.objects.filter(pk=object_id).values_list("status", flat=True).first()
        allowed = {Status.UNSEND: {"ship_detail", "cancel_detail"}, Status.UNPAID: {"cancel_detail"}}.get(status, ())
        return [a for a in super().get_actions_detail(request, object_id) if a.method.__name__ in allowed]

    # The order row is written by orders.services only: saving the page stores its new notes, never a stale
    # copy of the order over a status a payment or another operator has just moved.
    def save_model(self, request, obj, form, change):
        pass

    def save_formset(self, request, form, formset, change):
        if formset.model is not OrderNote:
            return super().save_formset(request, form, formset, change)
        for note in formset.save(commit=False):
            note.author = request.user
            note.save()

    @admin.display(description="物流")
    def shipment_display(self, order):
        if not order.tracking_number:
            return "—"
        return f"{order.carrier} {order.tracking_number}"

    @admin.display(description="收货人")
    def receiver(self, order):
        return order.address.receiver

    @admin.display(description="手机")
    def receiver_mobile(self, order):
        return order.address.mobile

    # The order keeps pointing at the address it was placed with, also after the buyer deleted it.
    @admin.display(description="收货地址")
    def full_address(self, order):
        address = order.address
        return f"{address.province.name} {address.city.name} {address.district.name} {address.place}"

    @admin.display(description="支付记录")
    def payments(self, order):
        rows = Payment.objects.filter(order_id=order.pk).order_by("create_time")
        if not rows:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            "支付宝交易号 {} · {}{}",
            ((p.trade_id, local_time(p.create_time), "（待退款）" if p.refund_needed else "") for p in rows),
        )

    @admin.display(description="状态记录")
    def status_history(self, order):
        placed_as = Status.UNPAID if order.pay_method == OrderInfo.PayMethod.ALIPAY else Status.UNSEND
        rows = [(order.create_time, "下单", Status(placed_as).label, order.user.username)]
        rows += [
            (
                change.time,
                Status(change.from_status).label,
                Status(change.to_status).label,
                change.operator.username
                if change.operator
                else UNATTENDED_MOVES.get((change.from_status, change.to_status), "—"),
            )
            for change in order.status_changes.select_related("operator")
        ]
        cell = mark_safe(HISTORY_CELL)
        body = format_html_join(
            "",
            "<tr><td {}>{}</td><td {}>{} → {}</td><td {}>{}</td></tr>",
            ((cell, local_time(time), cell, old, new, cell, who) for time, old, new, who in rows),
        )
        return format_html(
            '<table class="order-status-history"><thead><tr><th {}>时间</th><th {}>原状态 → 新状态</th>'
            "<th {}>操作人</th></tr></thead><tbody>{}</tbody></table>",
            cell,
            cell,
            cell,
            body,
        )

    @admin.display(description="使用的优惠券")
    def coupon_used(self, order):
        if order.coupon_id is None:
            return "—"
        coupon = order.coupon.coupon
        url = reverse("admin:coupons_membercoupon_change", args=[order.coupon_id])
        return format_html('<a href="{}" class="text-primary-600">{}（{}）</a>', url, coupon.name, describe(coupon))

    @admin.display(description="退款记录")
    def refund_records(self, order):
        return order_refunds_table(order)

    @admin.display(description="退货申请")
    def return_requests(self, order):
        return order_returns_table(order)

    def _ship_one(self, request, order, carrier, tracking_number):
        """Ship through the shop's rule and record who did it; False when the order was not waiting anymore."""
        try:
            services.ship(order, carrier, tracking_number, operator=request.user)
        except OrderStateError:
            return False
        self.log_change(request, order, f"发货：{order.carrier} {order.tracking_number}")
        return True

    def _cancel_one(self, request, order):
        if not services.cancel(order, operator=request.user):
            return False
        self.log_change(request, order, "取消订单（库存已退回）")
        return True

    def _cancel_with_refund(self, request, order):
        """The order page's cancel: an unpaid order, or a paid one waiting for shipment with the refund of all it
        paid; the operator's message, or None when the order cannot be cancelled (anymore)."""
        try:
            refund = services.cancel_order(order, operator=request.user)
        except OrderStateError:
            return None
        if refund is None:
            self.log_change(request, order, "取消订单（库存已退回）")
            return f"订单 {order.pk} 已取消，库存已退回"
        self.log_change(
            request, order, f"取消订单（库存已退回，退款 {yuan(refund.amount)}（{refund.out_request_no}））"
        )
        return f"订单 {order.pk} 已取消，库存已退回，退款 {yuan(refund.amount)} 已发起"

    def _report(self, request, done, skipped, done_text, skipped_text):
        if done:
            self.message_user(request, done_text.format(done), messages.SUCCESS)
        if skipped:
            self.message_user(request, skipped_text.format(skipped), messages.WARNING)

    def _order_page(self, request, order, title, form=None, note=""):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "order": order,
            "form": form,
            "note": note,
            "change_url": reverse("admin:orders_orderinfo_change", args=[order.pk]),
        }
        return TemplateResponse(request, "admin/orders/orderinfo/order_step.html", context)

    @admin.action(description="发货", permissions=["ship_order"])
    def ship(self, request, queryset):
        """One carrier and tracking number per selected order waiting for shipment, then each is shipped."""
        selected = {order.pk: order for order in queryset.select_related("address")}
        waiting = [order for order in selected.values() if order.status == Status.UNSEND]
        if "apply" in request.POST:
            formset = ShipmentFormSet(request.POST, prefix="shipment", form_kwargs={"selected_ids": selected})
            if formset.is_valid():
                shipped = sum(
                    self._ship_one(
                        request,
                        selected[form.cleaned_data["order_id"]],
                        form.cleaned_data["carrier"],
                        form.cleaned_data["tracking_number"],
                    )
                    for form in formset
                )
                self._report(
                    request, shipped, len(selected) - shipped, "已发货 {} 个订单", "{} 个订单不是待发货状态，未发货"
                )
                return None
        elif not waiting:
            self.message_user(request, f"{len(selected)} 个订单不是待发货状态，未发货", messages.WARNING)
            return None
        else:
            formset = ShipmentFormSet(
                initial=[{"order_id": order.pk} for order in waiting],
                prefix="shipment",
                form_kwargs={"selected_ids": selected},
            )
        rows = [(form, selected.get(form["order_id"].value())) for form in formset]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "批量发货",
            "formset": formset,
            "rows": rows,
            "selected": list(selected),
            "skipped": len(selected) - len(waiting),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/orders/orderinfo/ship_selected.html", context)

    @admin.action(description="取消订单", permissions=["cancel_order"])
    def cancel_unpaid(self, request, queryset):
        """The unpaid ones among the selected orders are cancelled and their stock given back."""
        orders = list(queryset.select_related(None).only("order_id", "status"))
        cancelled = sum(self._cancel_one(request, order) for order in orders)
        self._report(
            request,
            cancelled,
            len(orders) - cancelled,
            "已取消 {} 个订单，库存已退回",
            "{} 个订单不是待支付状态，未取消",
        )

    @action(description="发货", url_path="ship", permissions=["ship_order"])
    def ship_detail(self, request, object_id):
        order = self.get_object(request, object_id)
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        change_url = reverse("admin:orders_orderinfo_change", args=[order.pk])
        if order.status != Status.UNSEND:
            self.message_user(request, f"订单 {order.pk} 不是待发货状态，未发货", messages.WARNING)
            return redirect(change_url)
        form = ShipmentForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            if self._ship_one(request, order, form.cleaned_data["carrier"], form.cleaned_data["tracking_number"]):
                self.message_user(request, f"订单 {order.pk} 已发货：{order.carrier} {order.tracking_number}")
            else:
                self.message_user(request, f"订单 {order.pk} 不是待发货状态，未发货", messages.WARNING)
            return redirect(change_url)
        return self._order_page(request, order, f"发货：订单 {order.pk}", form=form)

    @action(description="取消订单", url_path="cancel", permissions=["cancel_order"])
    def cancel_detail(self, request, object_id):
        order = self.get_object(request, object_id)
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        change_url = reverse("admin:orders_orderinfo_change", args=[order.pk])
        if request.method != "POST":
            note = f"订单 {order.pk} 将被取消，商品库存退回；已支付的订单原路退回实付金额。已发货的订单不能取消。"
            return self._order_page(request, order, f"取消订单 {order.pk}", note=note)
        if done := self._cancel_with_refund(request, order):
            self.message_user(request, done)
        else:
            self.message_user(request, f"订单 {order.pk} 不是待支付或待发货状态，未取消", messages.WARNING)
        return redirect(change_url)
