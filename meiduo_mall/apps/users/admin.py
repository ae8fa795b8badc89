from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from import_export.admin import ExportActionModelAdmin
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from meiduo_mall.utils.admin import PermissionsInChinese
from meiduo_mall.utils.spreadsheets import SpreadsheetAdminMixin

from . import audit_admin  # noqa: F401  registers the audit list of LogEntry records
from .models import Address, User
from .resources import UserResource


class ShopperCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "mobile")


class ShopperChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(SpreadsheetAdminMixin, PermissionsInChinese, DjangoUserAdmin, ModelAdmin, ExportActionModelAdmin):
    resource_classes = [UserResource]
    form = ShopperChangeForm
    add_form = ShopperCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("id", "username", "mobile", "email", "email_active", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "email_active", "date_joined")
    search_fields = ("username", "mobile", "email")
    ordering = ("-date_joined",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("mobile", "email", "email_active", "first_name", "last_name", "default_address")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "mobile", "password1", "password2")}),)
    raw_id_fields = ("default_address",)
    readonly_fields = ("last_login", "date_joined")


@admin.register(Address)
class AddressAdmin(ModelAdmin):
    list_display = ("id", "user", "receiver", "mobile", "province", "city", "district", "place", "is_deleted")
    list_filter = ("is_deleted", "province")
    search_fields = ("receiver", "mobile", "place", "user__username", "user__mobile")
    list_select_related = ("user", "province", "city", "district")
    raw_id_fields = ("user", "province", "city", "district")
    readonly_fields = ("create_time", "update_time")


# Django's own group admin, in the back office's look and with the permissions listed in Chinese.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionsInChinese, DjangoGroupAdmin, ModelAdmin):
    pass
