"""The back office of freight: rules with their remote-province surcharges (orders.freight prices an order with
the newest active one)."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Exists, OuterRef
from unfold.admin import ModelAdmin, TabularInline

from meiduo_mall.apps.areas.models import Area
from meiduo_mall.utils.admin import RecordedChanges, yuan, yuan_column

from .models import FreightRule, FreightSurcharge

RULE_HELP = (
    f"启用的规则中最新建的一条生效；没有启用的规则时，每单运费{yuan(Decimal(settings.ORDER_FREIGHT))}。"
    "包邮门槛按使用优惠券后的商品金额计算；偏远地区加收在包邮时照收。"
)


def not_negative(form, name, label):
    value = form.cleaned_data.get(name)
    if value is not None and value < 0:
        raise forms.ValidationError(f"{label}不能为负数")
    return value


class FreightRuleForm(forms.ModelForm):
    class Meta:
        model = FreightRule
        fields = ("name", "base_fee", "free_over", "per_item_fee", "is_active")
        help_texts = {
            "free_over": "使用优惠券后商品金额达到此数即免基础运费和续件运费；不填则不包邮",
            "per_item_fee": "第二件起每件加收",
        }

    def clean_base_fee(self):
        return not_negative(self, "base_fee", "基础运费")

    def clean_per_item_fee(self):
        return not_negative(self, "per_item_fee", "续件运费")

    def clean_free_over(self):
        value = self.cleaned_data.get("free_over")
        if value is not None and value <= 0:
            raise forms.ValidationError("包邮门槛须大于0；不包邮请留空")
        return value


class FreightSurchargeForm(forms.ModelForm):
    class Meta:
        model = FreightSurcharge
        fields = ("province", "fee")

    def clean_fee(self):
        return not_negative(self, "fee", "加收运费")


class FreightSurchargeFormSet(forms.BaseInlineFormSet):
    # Django's own words name the field by its code ("province"), not as the page does.
    def get_unique_error_message(self, unique_check):
        return "同一省份只能设置一次加收运费"

    def get_form_error(self):
        return "请修正重复的省份"


class FreightSurchargeInline(TabularInline):
    model = FreightSurcharge
    form = FreightSurchargeForm
    formset = FreightSurchargeFormSet
    extra = 0
    hide_title = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Surcharges are by province: orders.freight compares the address's province (a level-1 area).
        if db_field.name == "province":
            kwargs["queryset"] = Area.objects.filter(parent__isnull=True).order_by("id")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(FreightRule)
class FreightRuleAdmin(RecordedChanges, ModelAdmin):
    form = FreightRuleForm
    list_display = (
        "name",
        yuan_column("base_fee", "基础运费"),
        "free_shipping",
        yuan_column("per_item_fee", "续件运费"),
        "surcharge_count",
        "is_active",
        "applies",
    )
    list_filter = ("is_active",)
    search_fields = ("name",)
    ordering = ("-id",)
    inlines = [FreightSurchargeInline]
    fieldsets = (
        (None, {"fields": ("name", "base_fee", "free_over", "per_item_fee", "is_active"), "description": RULE_HELP}),
    )

    def get_queryset(self, request):
        newer_active = FreightRule.objects.filter(is_active=True, pk__gt=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(surcharges_count=Count("surcharges"), superseded=Exists(newer_active))
        )

    @admin.display(description="包邮", ordering="free_over")
    def free_shipping(self, rule):
        return f"满{yuan(rule.free_over)}包邮" if rule.free_over is not None else "不包邮"

    @admin.display(description="偏远地区加收", ordering="surcharges_count")
    def surcharge_count(self, rule):
        return f"{rule.surcharges_count}个省份" if rule.surcharges_count else "—"

    @admin.display(description="当前生效", boolean=True)
    def applies(self, rule):
        return rule.is_active and not rule.superseded
