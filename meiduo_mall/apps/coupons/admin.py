"""The back office of coupons: the templates 商品运营 sets up and grants to members by mobile, and the read-only
list of the copies members hold.

Copies are handed out and used only through coupons.services (conditional counters, no locks); the pages
here never write issued_count or a copy's status.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from unfold.admin import ModelAdmin
from unfold.decorators import action
from unfold.widgets import UnfoldAdminTextareaWidget

from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.utils.admin import ReadOnlyAdmin, RecordedChanges
from meiduo_mall.utils.mobile import is_mobile

from . import services
from .exceptions import CouponError
from .models import Coupon, MemberCoupon
from .pricing import describe

# One grant is one request, each member in a transaction of its own: a list longer than this is split.
GRANT_MAX_MOBILES = 1000
SCOPE_NAMES_SHOWN = 3
MOBILE_SEPARATORS = re.compile(r"[\s,，;；、]+")


def local_minute(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


class CouponForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = (
            "name",
            "kind",
            "is_active",
            "threshold",
            "amount",
            "percent_off",
            "max_discount",
            "scope",
            "categories",
            "goods",
            "valid_from",
            "valid_until",
            "valid_days",
            "total_quantity",
            "per_member_limit",
            "is_public",
            "for_new_members",
        )
        help_texts = {
            "threshold": "满减、折扣券：适用商品需达到的金额；无门槛券填0",
            "amount": "满减、无门槛券填写",
            "percent_off": "折扣券填写：减免的百分比，10表示九折，25表示七五折",
            "max_discount": "折扣券可选：一单最多减免的金额",
            "valid_until": "固定有效期：到此时间失效（生效时间可不填，即领取后立即生效）",
            "valid_days": "或：会员领取后有效的天数（不填生效、失效时间）",
            "total_quantity": "领券中心、后台发放和新人礼合计最多发出的张数",
            "is_public": "不展示的券只能由后台发放",
            "for_new_members": "会员注册时自动发放",
            "is_active": "停用后不能再领取或发放；会员已领的券仍可使用",
        }

    def clean(self):
        cleaned = super().clean()
        # Categories and SPUs are saved after the model's clean, so their rule is checked here.
        scope = cleaned.get("scope")
        if scope == Coupon.Scope.CATEGORIES and not cleaned.get("categories"):
            self.add_error("categories", "指定分类的优惠券请选择适用分类")
        elif scope == Coupon.Scope.GOODS and not cleaned.get("goods"):
            self.add_error("goods", "指定商品的优惠券请选择适用商品")
        return cleaned


class GrantForm(forms.Form):
    mobiles = forms.CharField(
        label="会员手机号",
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 8}),
        help_text=f"每行一个，或用逗号隔开；一次最多{GRANT_MAX_MOBILES}个",
        error_messages={"required": "请填写会员手机号"},
    )

    def clean_mobiles(self):
        mobiles = list(dict.fromkeys(m for m in MOBILE_SEPARATORS.split(self.cleaned_data["mobiles"]) if m))
        if not mobiles:
            raise forms.ValidationError("请填写会员手机号")
        if bad := [m for m in mobiles if not is_mobile(m)]:
            raise forms.ValidationError(f"手机号格式错误：{'、'.join(bad[:10])}{'等' if len(bad) > 10 else ''}")
        if len(mobiles) > GRANT_MAX_MOBILES:
            raise forms.ValidationError(f"一次最多发放给{GRANT_MAX_MOBILES}个手机号，请分批发放")
        return mobiles


@admin.register(Coupon)
class CouponAdmin(RecordedChanges, ModelAdmin):
    form = CouponForm
    list_display = (
        "name",
        "kind",
        "rule",
        "scope_display",
        "validity",
        "issued",
        "used_count",
        "is_public",
        "for_new_members",
        "is_active",
    )
    list_filter = ("kind", "scope", "is_active", "is_public", "for_new_members")
    search_fields = ("name",)
    ordering = ("-id",)
    autocomplete_fields = ("categories", "goods")
    readonly_fields = ("issued_count",)
    fieldsets = (
        ("基本信息", {"fields": ("name", "kind", "is_active")}),
        ("优惠规则", {"fields": ("threshold", "amount", "percent_off", "max_discount")}),
        ("适用范围", {"fields": ("scope", "categories", "goods")}),
        ("有效期", {"fields": ("valid_from", "valid_until", "valid_days")}),
        ("发放", {"fields": ("total_quantity", "issued_count", "per_member_limit", "is_public", "for_new_members")}),
    )
    actions = ["grant"]
    actions_detail = ["grant_detail"]

    def get_queryset(self, request):
        used = Count("copies", filter=Q(copies__status=MemberCoupon.Status.USED))
        return super().get_queryset(request).annotate(used=used).prefetch_related("categories", "goods")

    # Copies held point at their template (PROTECT); one never handed out may go.
    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.issued_count == 0)

    def has_grant_coupon_permission(self, request, obj=None):
        return request.user.has_perm("coupons.grant_coupon")

    def get_actions(self, request):
        actions = super().get_actions(request)
        # The bulk delete would not ask each coupon whether it was handed out.
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # issued_count is counted up by claims while the operator edits: saving the form never writes it back.
        fields = [f.name for f in obj._meta.concrete_fields if not f.primary_key and f.name != "issued_count"]
        obj.save(update_fields=fields)

    @admin.display(description="优惠内容")
    def rule(self, coupon):
        return describe(coupon)

    @admin.display(description="适用范围", ordering="scope")
    def scope_display(self, coupon):
        names = {
            Coupon.Scope.CATEGORIES: [c.name for c in coupon.categories.all()],
            Coupon.Scope.GOODS: [g.name for g in coupon.goods.all()],
        }.get(coupon.scope)
        if not names:
            return coupon.get_scope_display()
        more = f" 等{len(names)}项" if len(names) > SCOPE_NAMES_SHOWN else ""
        return f"{coupon.get_scope_display()}：{'、'.join(names[:SCOPE_NAMES_SHOWN])}{more}"

    @admin.display(description="有效期")
    def validity(self, coupon):
        if coupon.valid_days:
            return f"领取后{coupon.valid_days}天"
        start = local_minute(coupon.valid_from) if coupon.valid_from else "领取起"
        return f"{start} 至 {local_minute(coupon.valid_until)}"

    @admin.display(description="已发放/总量", ordering="issued_count")
    def issued(self, coupon):
        return f"{coupon.issued_count}/{coupon.total_quantity}"

    @admin.display(description="已使用", ordering="used")
    def used_count(self, coupon):
        return coupon.used

    @admin.action(description="发放优惠券", permissions=["grant_coupon"])
    def grant(self, request, queryset):
        """From the list: one coupon at a time, on its grant page."""
        coupons = list(queryset.values_list("pk", flat=True)[:2])
        if len(coupons) != 1:
            self.message_user(request, "请只选择一张优惠券发放", messages.WARNING)
            return None
        return redirect("admin:coupons_coupon_grant_detail", coupons[0])

    @action(description="发放优惠券", url_path="grant", permissions=["grant_coupon"])
    def grant_detail(self, request, object_id):
        coupon = self.get_object(request, object_id)
        if coupon is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        change_url = reverse("admin:coupons_coupon_change", args=[coupon.pk])
        if refusal := self._why_not_granted(coupon):
            self.message_user(request, f"优惠券“{coupon.name}”{refusal}，不能发放", messages.WARNING)
            return redirect(change_url)
        form = GrantForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                report = services.grant_coupon_to_mobiles(coupon, form.cleaned_data["mobiles"], request.user)
            except CouponError as exc:
                self.message_user(request, f"优惠券“{coupon.name}”未发放：{exc.message}", messages.WARNING)
                return redirect(change_url)
            self._report_grant(request, coupon, report)
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"发放优惠券：{coupon.name}",
            "coupon": coupon,
            "rule": describe(coupon),
            "remaining": coupon.total_quantity - coupon.issued_count,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/coupons/coupon/grant.html", context)

    def _why_not_granted(self, coupon):
        if not coupon.is_active:
            return "已停用"
        if coupon.valid_until is not None and coupon.valid_until <= timezone.now():
            return "已过期"
        if coupon.issued_count >= coupon.total_quantity:
            return "已发完"
        return None

    def _report_grant(self, request, coupon, report):
        granted = len(report.granted)
        self.log_change(
            request,
            coupon,
            f"发放优惠券：{granted}张（非会员{len(report.unknown)}个，已达限领{len(report.at_limit)}个，"
            f"已发完未发{len(report.sold_out)}个）",
        )
        if granted:
            self.message_user(request, f"已向{granted}位会员发放“{coupon.name}”", messages.SUCCESS)
        if report.unknown:
            self.message_user(
                request,
                f"{len(report.unknown)}个手机号不是本店会员，未发放：{'、'.join(report.unknown)}",
                messages.WARNING,
            )
        if report.at_limit:
            self.message_user(
                request,
                f"{len(report.at_limit)}位会员已达每人限领{coupon.per_member_limit}张，未发放",
                messages.WARNING,
            )
        if report.sold_out:
            self.message_user(request, f"优惠券已发完，{len(report.sold_out)}个手机号未发放", messages.WARNING)


class DerivedStatusFilter(admin.SimpleListFilter):
    """未使用, 已使用 or 已过期: expired is an unused copy whose time has passed, never a stored status."""

    title = "状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("usable", "未使用"), ("used", "已使用"), ("expired", "已过期"))

    def queryset(self, request, queryset):
        now = timezone.now()
        unused = queryset.filter(status=MemberCoupon.Status.UNUSED)
        return {
            "usable": unused.filter(valid_until__gt=now),
            "used": queryset.filter(status=MemberCoupon.Status.USED),
            "expired": unused.filter(valid_until__lte=now),
        }.get(self.value(), queryset)


@admin.register(MemberCoupon)
class MemberCouponAdmin(ReadOnlyAdmin, ModelAdmin):
    """会员优惠券: who holds which coupon, where it came from and which order used it; nobody edits a copy."""

    list_display = ("id", "member", "coupon", "source", "status_display", "valid_until", "used_time", "order_link")
    list_filter = (DerivedStatusFilter, "source", "coupon")
    search_fields = ("user__mobile", "user__username", "coupon__name")
    list_select_related = ("user", "coupon")
    ordering = ("-id",)
    fields = (
        "member",
        "coupon",
        "source",
        "status_display",
        "valid_from",
        "valid_until",
        "used_time",
        "order_link",
        "create_time",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        # The latest order that took it: a copy given back by a cancel and used again names its new order.
        latest_order = OrderInfo.objects.filter(coupon=OuterRef("pk")).order_by("-create_time").values("order_id")
        return super().get_queryset(request).annotate(order_id=Subquery(latest_order[:1]))

    @admin.display(description="会员", ordering="user__username")
    def member(self, copy):
        user = copy.user
        return f"{user.username}（{user.mobile}）" if user.mobile else user.username

    @admin.display(description="状态", ordering="status")
    def status_display(self, copy):
        if copy.status == MemberCoupon.Status.USED:
            return "已使用"
        return "已过期" if copy.valid_until <= timezone.now() else "未使用"

    @admin.display(description="使用订单")
    def order_link(self, copy):
        if copy.status != MemberCoupon.Status.USED or not copy.order_id:
            return "—"
        url = reverse("admin:orders_orderinfo_change", args=[copy.order_id])
        return format_html('<a href="{}" class="text-primary-600">{}</a>', url, copy.order_id)
