"""Back-office pieces that several apps' admins share."""

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.utils.html import format_html
from unfold.admin import TabularInline


class ImageStorageErrorsAsMessages:
    """An admin whose forms upload images: a file server that does not answer becomes a message.

    The admin's change view runs in one transaction, so by the time the storage's OSError reaches
    us nothing of the change was saved; the operator sees why and keeps the form's page.
    """

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except OSError:
            if request.method != "POST":
                raise
            self.message_user(request, "图片服务器暂不可用，本次修改未保存，请稍后重试", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# Long texts (rich descriptions) and files are named as changed, but not written out into the record.
UNRECORDED_VALUE_FIELDS = (models.TextField, models.FileField, models.ForeignObject, models.ManyToManyField)
RECORDED_VALUE_LENGTH = 50


def shown_value(value):
    """A field's value as the audit list writes it."""
    if value is None or value == "":
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value)
    return text if len(text) <= RECORDED_VALUE_LENGTH else f"{text[:RECORDED_VALUE_LENGTH]}…"


class RecordedChanges:
    """An admin whose change records say old → new for each simple field changed (价格（100.00 → 88.00）).

    The values go into the field names of Django's own change message, so the per-object history and the
    audit list show them without reading the message in a format of ours. The old value is the form's
    initial one: by the time the message is built, the form has already written the new values on the object.
    """

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if add or not form.changed_data:
            return message
        fields = [self.recorded_field(form, name) for name in form.changed_data]
        for entry in message:
            if "changed" in entry and "name" not in entry["changed"]:
                entry["changed"]["fields"] = fields
        return message

    def recorded_field(self, form, name):
        form_field = form.fields.get(name)
        label = str(form_field.label) if form_field is not None and form_field.label else name
        try:
            model_field = form.instance._meta.get_field(name)
        except FieldDoesNotExist:
            return label
        if isinstance(model_field, UNRECORDED_VALUE_FIELDS):
            return label
        old, new = form.initial.get(name), form.cleaned_data.get(name)
        if isinstance(model_field, models.DecimalField):
            # As the field stores it: "88" typed over 100.00 is recorded as 88.00.
            old, new = (None if value is None else f"{value:.{model_field.decimal_places}f}" for value in (old, new))
        elif model_field.choices:
            labels = dict(model_field.flatchoices)
            old, new = (labels.get(value, value) for value in (old, new))
        return f"{label}（{shown_value(old)} → {shown_value(new)}）"


def chinese_script(request):
    """For UNFOLD["SCRIPTS"]: what the theme's scripts write in English on screen, in Chinese."""
    return static("back_office/zh_hans.js")


def yuan(amount):
    """Money as the shop writes it, ¥6999.00; None stays None so the admin shows its empty mark."""
    if amount is None:
        return None
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):.2f}"


def yuan_column(field_name, description):
    """A list column of a money field in yuan, sorted by the field: `list_display = (yuan_column("price", "价格"),)`."""

    @admin.display(description=description, ordering=field_name)
    def column(obj):
        return yuan(getattr(obj, field_name))

    column.__name__ = f"{field_name}_in_yuan"
    return column


# Django names the permissions it makes in English when the tables are created ("Can add 商品SKU");
# the back office says them in Chinese from the codename instead.
DEFAULT_PERMISSION_VERBS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}


def permission_label(permission):
    """商品SKU | 修改商品SKU: a permission as the permission pickers of users and groups list it."""
    model = permission.content_type.model_class()
    model_name = str(model._meta.verbose_name) if model else permission.content_type.model
    action, _, model_code = permission.codename.partition("_")
    if action in DEFAULT_PERMISSION_VERBS and model_code == permission.content_type.model:
        return f"{model_name} | {DEFAULT_PERMISSION_VERBS[action]}{model_name}"
    return f"{model_name} | {permission.name}"


class PermissionsInChinese:
    """An admin whose form picks permissions (users, groups): each one is listed in Chinese."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model._meta.label == "auth.Permission":
            field.label_from_instance = permission_label
        return field


THUMBNAIL_STYLE = "width:60px;height:60px;object-fit:contain"


def sku_thumbnail(sku):
    """The SKU's default picture at 60 px, as order and return lines show it; a dash when it has none."""
    if not sku.default_image_url:
        return "—"
    return format_html('<img src="{}" alt="{}" style="{}">', sku.default_image_url, sku.name, THUMBNAIL_STYLE)


class ReadOnlyAdmin:
    """A ModelAdmin mixin for records the shop writes itself (payments, refunds, returns, the audit list, members'
    coupons): the back office shows them and nobody adds, edits or deletes one, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(TabularInline):
    """Rows of a record that the back office shows and nobody adds, edits or deletes (order and return lines)."""

    extra = 0
    can_delete = False
    hide_title = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
