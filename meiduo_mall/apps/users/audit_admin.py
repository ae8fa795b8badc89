"""The audit list of the back office (日志记录, Django's own name for LogEntry in Chinese): every change operators
made, who made it and when."""

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.utils import timezone
from django.utils.html import format_html
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateTimeFilter, RelatedDropdownFilter
from unfold.utils import parse_datetime_str

from meiduo_mall.utils.admin import ReadOnlyAdmin


class ChineseTitle:
    """A filter titled in the audit list's words rather than LogEntry's field names (用户, 内容类型, 动作标志)."""

    shown_title = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = self.shown_title


class OperatorFilter(ChineseTitle, RelatedDropdownFilter):
    """Only staff can change anything, so only they are offered (not the shop's many shoppers)."""

    shown_title = "操作人"

    def field_choices(self, field, request, model_admin):
        return field.get_choices(include_blank=False, limit_choices_to={"is_staff": True}, ordering=("username",))


class ObjectTypeFilter(ChineseTitle, RelatedDropdownFilter):
    """Only the kinds of object that have records."""

    shown_title = "对象类型"

    def field_choices(self, field, request, model_admin):
        recorded = LogEntry.objects.values_list("content_type", flat=True).distinct()
        return field.get_choices(include_blank=False, limit_choices_to={"pk__in": recorded})


class ActionFilter(ChineseTitle, ChoicesDropdownFilter):
    shown_title = "操作"


class TimeFilter(ChineseTitle, RangeDateTimeFilter):
    """From and to a moment of the shop's time zone; a day without a time means the whole day."""

    shown_title = "时间"
    DAY_EDGES = {"from": "00:00:00", "to": "23:59:59"}

    def queryset(self, request, queryset):
        bounds = {}
        for end, lookup in (("from", "gte"), ("to", "lte")):
            day = self.used_parameters.get(f"{self.parameter_name}_{end}_0")
            moment = day and parse_datetime_str(
                f"{day} {self.used_parameters.get(f'{self.parameter_name}_{end}_1') or self.DAY_EDGES[end]}"
            )
            # A bound that is not a date and time filters nothing, as the other filters do with bad values.
            if moment:
                bounds[f"{self.parameter_name}__{lookup}"] = timezone.make_aware(moment)
        return queryset.filter(**bounds)


# The record is the evidence: nobody writes, edits or removes it here, superusers included.
@admin.register(LogEntry)
class AuditAdmin(ReadOnlyAdmin, ModelAdmin):
    list_display = ("action_time_shown", "operator", "object_type", "object_link", "action_shown", "change_shown")
    list_display_links = None
    list_select_related = ("user", "content_type")
    list_filter = (
        ("user", OperatorFilter),
        ("content_type", ObjectTypeFilter),
        ("action_flag", ActionFilter),
        ("action_time", TimeFilter),
    )
    list_filter_submit = True
    search_fields = ("object_repr",)
    list_per_page = 50
    fields = ("action_time", "operator", "object_type", "object_link", "action_shown", "change_shown")

    @admin.display(description="时间", ordering="action_time")
    def action_time_shown(self, entry):
        return entry.action_time

    @admin.display(description="操作人", ordering="user__username")
    def operator(self, entry):
        return entry.user

    @admin.display(description="对象类型")
    def object_type(self, entry):
        return entry.content_type or "—"

    @admin.display(description="对象")
    def object_link(self, entry):
        # A deleted object has no change page left; its name is all there is.
        url = None if entry.is_deletion() else entry.get_admin_url()
        return (
            format_html('<a href="{}" class="text-primary-600">{}</a>', url, entry.object_repr)
            if url
            else entry.object_repr
        )

    @admin.display(description="操作", ordering="action_flag")
    def action_shown(self, entry):
        return entry.get_action_flag_display()

    @admin.display(description="变更内容")
    def change_shown(self, entry):
        return entry.get_change_message()
