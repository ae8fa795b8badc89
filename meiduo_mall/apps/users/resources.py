"""Members in spreadsheets. Their mobile numbers are personal data: only an operator who may change users
(the 客服 who call them) exports them whole; an analyst who may only export sees 138****8000."""

from import_export import fields

from meiduo_mall.utils.spreadsheets import LocalDateTimeWidget, SpreadsheetResource, YesNoWidget

from .models import User


def masked_mobile(mobile):
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 8 else "****"


class UserResource(SpreadsheetResource):
    id = fields.Field(attribute="id", column_name="用户编号")
    username = fields.Field(attribute="username", column_name="用户名")
    mobile = fields.Field(attribute="mobile", column_name="手机号")
    email = fields.Field(attribute="email", column_name="邮箱")
    email_active = fields.Field(attribute="email_active", column_name="邮箱已验证", widget=YesNoWidget())
    date_joined = fields.Field(attribute="date_joined", column_name="注册时间", widget=LocalDateTimeWidget())
    last_login = fields.Field(attribute="last_login", column_name="最近登录", widget=LocalDateTimeWidget())

    class Meta:
        model = User
        name = "用户"
        fields = ("id", "username", "mobile", "email", "email_active", "date_joined", "last_login")
        export_order = fields

    def dehydrate_mobile(self, user):
        if self.operator is not None and self.operator.has_perm("users.change_user"):
            return user.mobile
        return masked_mobile(user.mobile)
