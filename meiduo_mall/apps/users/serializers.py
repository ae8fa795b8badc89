from rest_framework import serializers

from meiduo_mall.utils.mobile import MOBILE_RE
from meiduo_mall.utils.serializer_fields import BooleanOrWordField

from .services import authenticate_by_password, new_password_problem

USERNAME_RE = r"^[A-Za-z0-9_-]{5,20}$"


def password_field():
    return serializers.CharField(
        min_length=8,
        max_length=20,
        trim_whitespace=False,
        write_only=True,
        error_messages={
            "required": "请输入密码",
            "blank": "请输入密码",
            "min_length": "密码最少8位，最长20位",
            "max_length": "密码最少8位，最长20位",
        },
    )


def mobile_field():
    return serializers.RegexField(MOBILE_RE, error_messages={"required": "请输入手机号", "invalid": "手机号格式错误"})


def check_new_password(attrs, user=None):
    """password == password2 and Django's password validators; returns the password."""
    problem = new_password_problem(attrs["password"], attrs["password2"], user)
    if problem:
        raise serializers.ValidationError(problem)
    return attrs["password"]


class RegisterSerializer(serializers.Serializer):
    """U3's input, in shape only: the account rules are services.register()'s."""

    username = serializers.RegexField(
        USERNAME_RE,
        error_messages={"required": "请输入用户名", "invalid": "用户名为5-20个字母、数字、_或-"},
    )
    password = password_field()
    password2 = password_field()
    mobile = mobile_field()
    sms_code = serializers.RegexField(
        r"^\d{6}$", write_only=True, error_messages={"required": "请输入短信验证码", "invalid": "短信验证码错误"}
    )
    allow = BooleanOrWordField(
        write_only=True, error_messages={"required": "请同意用户协议", "invalid": "请同意用户协议"}
    )

    def validate_username(self, value):
        # A username of digits only could pass for a mobile number at login.
        if value.isdigit():
            raise serializers.ValidationError("用户名不能是纯数字")
        return value

    def validate_allow(self, value):
        if value is not True:
            raise serializers.ValidationError("请同意用户协议")
        return value


class LoginSerializer(serializers.Serializer):
    """L1: `username` is a username or a mobile number (see backends.UsernameMobileBackend). Past the login
    limits validation raises TooManyFailedLogins, the 429, instead of a ValidationError."""

    username = serializers.CharField(max_length=150, error_messages={"required": "请输入用户名或手机号"})
    password = serializers.CharField(max_length=128, trim_whitespace=False, error_messages={"required": "请输入密码"})

    def validate(self, attrs):
        user = authenticate_by_password(self.context["request"], attrs["username"], attrs["password"])
        if user is None:
            raise serializers.ValidationError("用户名或密码错误")
        attrs["user"] = user
        return attrs


class ResetPasswordSerializer(serializers.Serializer):
    """F4: a new password with the token of step F3."""

    password = password_field()
    password2 = password_field()
    access_token = serializers.CharField(
        max_length=1000, error_messages={"required": "缺少access_token", "blank": "缺少access_token"}
    )

    def validate(self, attrs):
        check_new_password(attrs)
        return attrs
