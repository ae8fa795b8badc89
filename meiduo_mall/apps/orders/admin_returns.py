"""The back office of after-sales: the returns queue (review, receipt and refund) and the refunds list.

Every move goes through orders.returns and orders.services, which make it conditional on the status it
leaves; here an action only asks for the note, records who did it (LogEntry) and says what was skipped.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from unfold.admin import ModelAdmin
from unfold.decorators import action
from unfold.widgets import UnfoldAdminTextareaWidget

from meiduo_mall.utils.admin import THUMBNAIL_STYLE, ReadOnlyAdmin, ReadOnlyInline, sku_thumbnail, yuan, yuan_column
from meiduo_mall.utils.exceptions import ShopError

from . import returns, services
from .models import OrderInfo, Refund, ReturnLine, ReturnPhoto, ReturnRequest

ReturnStatus = ReturnRequest.Status
RefundStatus = Refund.Status
CELL = 'style="padding:4px 24px 4px 0;text-align:left"'


def local_time(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}" if moment else "—"


def table(headers, rows, css_class):
    """A read-only table of a change page (like the order's status history); rows are already escaped."""
    cell = mark_safe(CELL)
    head = format_html_join("", "<th {}>{}</th>", ((cell, header) for header in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td {}>{}</td>", ((cell, value) for value in row)),) for row in rows),
    )
    return format_html('<table class="{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', css_class, head, body)


def change_link(model, pk, text):
    url = reverse(f"admin:orders_{model._meta.model_name}_change", args=[pk])
    return format_html('<a href="{}" class="text-primary-600">{}</a>', url, text)


def refunds_table(refunds):
    """Refunds as a read-only table, each linked to its record."""
    rows = [
        (
            change_link(Refund, refund.pk, refund.out_request_no),
            yuan(refund.amount),
            refund.get_status_display(),
            refund.reason,
            local_time(refund.create_time),
            local_time(refund.refunded_time),
        )
        for refund in refunds
    ]
    if not rows:
        return "—"
    return table(("退款请求号", "金额", "状态", "原因", "发起时间", "到账时间"), rows, "after-sales-refunds")


def order_refunds_table(order):
    """The refunds of an order, for its change page."""
    return refunds_table(order.refunds.order_by("create_time"))


def order_returns_table(order):
    """The return requests of an order, for its change page."""
    rows = [
        (
            change_link(ReturnRequest, request.pk, f"退货 {request.pk}"),
            request.get_status_display(),
            request.get_reason_display(),
            yuan(request.refund_amount),
            local_time(request.create_time),
        )
        for request in order.returns.order_by("create_time")
    ]
    if not rows:
        return "—"
    return table(("退货申请", "状态", "原因", "退款金额", "申请时间"), rows, "order-returns")


def return_summary(return_request):
    return (
        f"退货申请 {return_request.pk} · 订单 {return_request.order_id} · {return_request.user.username} · "
        f"{return_request.get_reason_display()} · 退款 {yuan(return_request.refund_amount)}"
    )


def after_sales_step(model_admin, request, title, items, *, submit, back_url, form=None, note="", **action):
    """The page between an action and its move: what it applies to, the note it asks for, the button.
    For a list action, `action` carries action_name, selected (the pks posted back) and skipped."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "items": items,
        "form": form,
        "note": note,
        # Not "submit": inside the button component that name is its own flag.
        "submit_label": submit,
        "back_url": back_url,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        **action,
    }
    return TemplateResponse(request, "admin/orders/returnrequest/after_sales_step.html", context)


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="审核说明",
        required=False,
        max_length=returns.NOTE_MAX_LENGTH,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        error_messages={"max_length": "审核说明最多 %(limit_value)d 个字"},
    )


class RejectForm(ReviewForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = True
        self.fields["note"].label = "拒绝原因"
        self.fields["note"].error_messages["required"] = "请填写拒绝原因"


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = ("thumbnail", "sku_name", "count", "amount_display")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_goods__sku")

    @admin.display(description="图片")
    def thumbnail(self, line):
        return sku_thumbnail(line.order_goods.sku)

    @admin.display(description="商品")
    def sku_name(self, line):
        return line.order_goods.sku.name

    @admin.display(description="退款金额")
    def amount_display(self, line):
        return yuan(line.amount)


class ReturnPhotoInline(ReadOnlyInline):
    model = ReturnPhoto
    fields = ("photo",)
    readonly_fields = fields

    @admin.display(description="照片")
    def photo(self, photo):
        url = photo.image.url
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="退货照片" style="{}"></a>',
            url,
            url,
            THUMBNAIL_STYLE,
        )


# A return is opened by its member and moved only by the actions; nobody types one in, edits or deletes it.
@admin.register(ReturnRequest)
class ReturnRequestAdmin(ReadOnlyAdmin, ModelAdmin):
    """退货申请: the queue 订单客服 works through (filtered on 待审核, or 已寄回 for parcels on their way back)."""

    list_display = (
        "id",
        "order",
        "member",
        "status",
        "reason",
        yuan_column("refund_amount", "退款金额"),
        "create_time",
    )
    list_filter = ("status", "reason", "create_time")
    search_fields = ("order__order_id", "user__mobile", "user__username")
    list_select_related = ("order", "user")
    ordering = ("-create_time",)
    inlines = [ReturnLineInline, ReturnPhotoInline]
    fieldsets = (
        (None, {"fields": ("order_link", "member", "status", "reason", "description", "refund_amount_display")}),
        ("审核", {"fields": ("operator", "operator_note", "reviewed_time")}),
        ("寄回包裹", {"fields": ("carrier", "tracking_number", "sent_back_time", "received_time")}),
        ("进度", {"fields": ("timeline",)}),
        ("退款", {"fields": ("refunds",)}),
    )
    readonly_fields = (
        "order_link",
        "member",
        "status",
        "reason",
        "description",
        "refund_amount_display",
        "operator",
        "operator_note",
        "reviewed_time",
        "carrier",
        "tracking_number",
        "sent_back_time",
        "received_time",
        "timeline",
        "refunds",
    )
    actions = ["approve", "reject", "receive"]
    actions_detail = ["approve_detail", "reject_detail", "receive_detail"]

    def has_review_return_permission(self, request, obj=None):
        return request.user.has_perm("orders.review_return")

    def has_receive_return_permission(self, request, obj=None):
        return request.user.has_perm("orders.receive_return")

    def get_actions_detail(self, request, object_id):
        """Only the steps the request's status allows: review while it waits, receipt once it is sent back."""
        status = ReturnRequest.objects.filter(pk=object_id).values_list("status", flat=True).first()
        allowed = {
            ReturnStatus.REQUESTED: ("approve_detail", "reject_detail"),
            ReturnStatus.SENT_BACK: ("receive_detail",),
        }.get(status, ())
        return [a for a in super().get_actions_detail(request, object_id) if a.method.__name__ in allowed]

    @admin.display(description="申请人", ordering="user__username")
    def member(self, return_request):
        user = return_request.user
        return f"{user.username}（{user.mobile}）" if user.mobile else user.username

    @admin.display(description="订单")
    def order_link(self, return_request):
        return change_link(OrderInfo, return_request.order_id, return_request.order_id)

    @admin.display(description="退款金额")
    def refund_amount_display(self, return_request):
        return yuan(return_request.refund_amount)

    @admin.display(description="退款记录")
    def refunds(self, return_request):
        return refunds_table(return_request.refunds.order_by("create_time"))

    @admin.display(description="进度")
    def timeline(self, return_request):
        user = return_request.user.username
        events = [(return_request.create_time, "提交退货申请", user, return_request.get_reason_display())]
        if return_request.reviewed_time:
            rejected = return_request.status == ReturnStatus.REJECTED
            events.append(
                (
                    return_request.reviewed_time,
                    "拒绝退货" if rejected else "同意退货",
                    return_request.operator.username if return_request.operator else "—",
                    return_request.operator_note or "—",
                )
            )
        if return_request.sent_back_time:
            parcel = f"{return_request.carrier} {return_request.tracking_number}"
            events.append((return_request.sent_back_time, "买家寄回", user, parcel))
        refunds = list(return_request.refunds.select_related("operator").order_by("create_time"))
        if return_request.received_time:
            # The receipt requests the refund in the same step: its refund names the operator who received it.
            receiver = refunds[0].operator.username if refunds and refunds[0].operator else "—"
            events.append((return_request.received_time, "仓库收货", receiver, "库存已退回"))
        for refund in refunds:
            who = refund.operator.username if refund.operator else "—"
            events.append((refund.create_time, "发起退款", who, yuan(refund.amount)))
            if refund.refunded_time:
                events.append((refund.refunded_time, "退款到账", "—", yuan(refund.amount)))
            elif refund.status == RefundStatus.FAILED:
                events.append((refund.update_time, "退款失败", "—", refund.failure_reason or "—"))
        rows = [(local_time(time), what, who, detail) for time, what, who, detail in events]
        return table(("时间", "进度", "操作人", "说明"), rows, "return-timeline")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # Each move, one request at a time ---------------------------------------------------------------

    def _approve_one(self, request, return_request, note):
        returns.approve_return(return_request, request.user, note)
        self.log_change(request, return_request, f"同意退货：{note}" if note else "同意退货")

    def _reject_one(self, request, return_request, note):
        returns.reject_return(return_request, request.user, note)
        self.log_change(request, return_request, f"拒绝退货：{note}")

    def _receive_one(self, request, return_request):
        refund = returns.receive_return(return_request, request.user)
        self.log_change(
            request, return_request, f"确认收货，库存已退回，退款 {yuan(refund.amount)}（{refund.out_request_no}）"
        )
        return refund

    def _each(self, request, queryset, waiting_status, move):
        """Run `move` on every selected request in `waiting_status`; (done, skipped, first refusal)."""
        selected = list(queryset.select_related("user", "order"))
        done, refusal = 0, None
        for return_request in selected:
            if return_request.status != waiting_status:
                continue
            try:
                move(return_request)
            except ShopError as exc:
                refusal = refusal or exc.message
            else:
                done += 1
        return done, len(selected) - done, refusal

    def _report(self, request, done, skipped, refusal, done_text, skipped_text):
        if done:
            self.message_user(request, done_text.format(done), messages.SUCCESS)
        if skipped:
            text = skipped_text.format(skipped)
            self.message_user(request, f"{text}：{refusal}" if refusal else text, messages.WARNING)

    def _review_selected(self, request, queryset, form_class, move, *, title, submit, done_text, action_name):
        selected = list(queryset.select_related("order", "user"))
        waiting = [r for r in selected if r.status == ReturnStatus.REQUESTED]
        if not waiting:
            self.message_user(request, f"{len(selected)} 个退货申请不是待审核状态，未处理", messages.WARNING)
            return None
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            note = form.cleaned_data["note"]
            done, skipped, refusal = self._each(
                request, queryset, ReturnStatus.REQUESTED, lambda r: move(request, r, note)
            )
            self._report(request, done, skipped, refusal, done_text, "{} 个退货申请未处理")
            return None
        return after_sales_step(
            self,
            request,
            title,
            [return_summary(r) for r in waiting],
            form=form,
            submit=submit,
            back_url=reverse("admin:orders_returnrequest_changelist"),
            action_name=action_name,
            selected=[r.pk for r in selected],
            skipped=len(selected) - len(waiting),
        )

    @admin.action(description="同意退货", permissions=["review_return"])
    def approve(self, request, queryset):
        return self._review_selected(
            request,
            queryset,
            ReviewForm,
            self._approve_one,
            title="同意退货",
            submit="确认同意",
            done_text="已同意 {} 个退货申请，已短信通知买家寄回",
            action_name="approve",
        )

    @admin.action(description="拒绝退货", permissions=["review_return"])
    def reject(self, request, queryset):
        return self._review_selected(
            request,
            queryset,
            RejectForm,
            self._reject_one,
            title="拒绝退货",
            submit="确认拒绝",
            done_text="已拒绝 {} 个退货申请",
            action_name="reject",
        )

    @admin.action(description="确认收货并退款", permissions=["receive_return"])
    def receive(self, request, queryset):
        done, skipped, refusal = self._each(
            request, queryset, ReturnStatus.SENT_BACK, lambda r: self._receive_one(request, r)
        )
        self._report(
            request,
            done,
            skipped,
            refusal,
            "已确认收货 {} 个退货申请，库存已退回，退款已发起",
            "{} 个退货申请不是已寄回状态或不能退款，未处理",
        )

    def _review_detail(self, request, object_id, form_class, move, *, title, submit, done_text):
        return_request = self.get_object(request, object_id)
        if return_request is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        change_url = reverse("admin:orders_returnrequest_change", args=[return_request.pk])
        if return_request.status != ReturnStatus.REQUESTED:
            self.message_user(request, f"退货申请 {return_request.pk} 不是待审核状态，未处理", messages.WARNING)
            return redirect(change_url)
        form = form_class(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                move(request, return_request, form.cleaned_data["note"])
            except ShopError as exc:
                self.message_user(request, f"退货申请 {return_request.pk} 未处理：{exc.message}", messages.WARNING)
            else:
                self.message_user(request, done_text.format(return_request.pk))
            return redirect(change_url)
        return after_sales_step(
            self,
            request,
            f"{title}：退货申请 {return_request.pk}",
            [return_summary(return_request)],
            form=form,
            submit=submit,
            back_url=change_url,
        )

    @action(description="同意退货", url_path="approve", permissions=["review_return"])
    def approve_detail(self, request, object_id):
        return self._review_detail(
            request,
            object_id,
            ReviewForm,
            self._approve_one,
            title="同意退货",
            submit="确认同意",
            done_text="已同意退货申请 {}，已短信通知买家寄回",
        )

    @action(description="拒绝退货", url_path="reject", permissions=["review_return"])
    def reject_detail(self, request, object_id):
        return self._review_detail(
            request,
            object_id,
            RejectForm,
            self._reject_one,
            title="拒绝退货",
            submit="确认拒绝",
            done_text="已拒绝退货申请 {}",
        )

    @action(description="确认收货并退款", url_path="receive", permissions=["receive_return"])
    def receive_detail(self, request, object_id):
        return_request = self.get_object(request, object_id)
        if return_request is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        change_url = reverse("admin:orders_returnrequest_change", args=[return_request.pk])
        if return_request.status != ReturnStatus.SENT_BACK:
            self.message_user(request, f"退货申请 {return_request.pk} 不是已寄回状态，未处理", messages.WARNING)
            return redirect(change_url)
        if request.method != "POST":
            note = f"确认已收到寄回的商品：库存退回，并向买家退款 {yuan(return_request.refund_amount)}。"
            return after_sales_step(
                self,
                request,
                f"确认收货：退货申请 {return_request.pk}",
                [return_summary(return_request)],
                note=note,
                submit="确认收货并退款",
                back_url=change_url,
            )
        try:
            refund = self._receive_one(request, return_request)
        except ShopError as exc:
            self.message_user(request, f"退货申请 {return_request.pk} 未处理：{exc.message}", messages.WARNING)
        else:
            self.message_user(request, f"退货申请 {return_request.pk} 已确认收货，退款 {yuan(refund.amount)} 已发起")
        return redirect(change_url)


# Refunds are written by orders.services only: money is never typed in, edited or deleted by hand.
@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin, ModelAdmin):
    """退款记录: every refund with its amount, gateway reference and times; a failed one can be sent again."""

    list_display = (
        "out_request_no",
        "order",
        yuan_column("amount", "退款金额"),
        "status",
        "reason",
        "gateway_reference",
        "attempts",
        "failure_reason",
        "create_time",
        "refunded_time",
    )
    list_filter = ("status", "create_time")
    search_fields = ("out_request_no", "order__order_id")
    list_select_related = ("order",)
    ordering = ("-create_time",)
    fields = (
        "out_request_no",
        "order_link",
        "payment",
        "return_link",
        "amount_display",
        "reason",
        "status",
        "gateway_reference",
        "attempts",
        "failure_reason",
        "operator",
        "create_time",
        "update_time",
        "refunded_time",
    )
    readonly_fields = fields
    actions = ["retry"]
    actions_detail = ["retry_detail"]

    def has_retry_refund_permission(self, request, obj=None):
        return request.user.has_perm("orders.retry_refund")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_actions_detail(self, request, object_id):
        failed = Refund.objects.filter(pk=object_id, status=RefundStatus.FAILED).exists()
        return super().get_actions_detail(request, object_id) if failed else []

    @admin.display(description="订单")
    def order_link(self, refund):
        return change_link(OrderInfo, refund.order_id, refund.order_id)

    @admin.display(description="退货申请")
    def return_link(self, refund):
        if refund.return_request_id is None:
            return "—"
        return change_link(ReturnRequest, refund.return_request_id, f"退货 {refund.return_request_id}")

    @admin.display(description="退款金额")
    def amount_display(self, refund):
        return yuan(refund.amount)

    def _retry_one(self, request, refund):
        services.retry_refund(refund, request.user)
        self.log_change(request, refund, f"重新发起退款 {yuan(refund.amount)}")

    @admin.action(description="重新退款", permissions=["retry_refund"])
    def retry(self, request, queryset):
        selected = list(queryset)
        done, refusal = 0, None
        for refund in selected:
            if refund.status != RefundStatus.FAILED:
                continue
            try:
                self._retry_one(request, refund)
            except ShopError as exc:
                refusal = refusal or exc.message
            else:
                done += 1
        if done:
            self.message_user(request, f"已重新发起 {done} 笔退款", messages.SUCCESS)
        if skipped := len(selected) - done:
            text = f"{skipped} 笔退款不是退款失败状态或不能重新发起，未处理"
            self.message_user(request, f"{text}：{refusal}" if refusal else text, messages.WARNING)

    @action(description="重新退款", url_path="retry", permissions=["retry_refund"])
    def retry_detail(self, request, object_id):
        refund = self.get_object(request, object_id)
        if refund is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        change_url = reverse("admin:orders_refund_change", args=[refund.pk])
        if refund.status != RefundStatus.FAILED:
            self.message_user(request, f"退款 {refund.out_request_no} 不是退款失败状态，未处理", messages.WARNING)
            return redirect(change_url)
        if request.method != "POST":
            return after_sales_step(
                self,
                request,
                f"重新退款：{refund.out_request_no}",
                [f"订单 {refund.order_id} · 退款 {yuan(refund.amount)} · 失败原因：{refund.failure_reason or '—'}"],
                note="以同一退款请求号再次向支付宝发起退款，不会重复退款。",
                submit="确认重新退款",
                back_url=change_url,
            )
        try:
            self._retry_one(request, refund)
        except ShopError as exc:
            self.message_user(request, f"退款 {refund.out_request_no} 未重新发起：{exc.message}", messages.WARNING)
        else:
            self.message_user(request, f"退款 {refund.out_request_no} 已重新发起")
        return redirect(change_url)
