from rest_framework import serializers

from .models import User
from .serializers import check_new_password, password_field


class UserDetailSerializer(serializers.ModelSerializer):
    """C1"""

    class Meta:
        model = User
        fields = ["id", "username", "mobile", "email", "email_active"]


class EmailSerializer(serializers.Serializer):
    """C2: the address to verify (the column holds 254 characters, as EmailField allows)."""

    email = serializers.EmailField(
        max_length=254,
        error_messages={"required": "请输入邮箱", "blank": "请输入邮箱", "invalid": "邮箱格式错误"},
    )


class ChangePasswordSerializer(serializers.Serializer):
    """C6: the member's current password, then the new one twice."""

    old_password = serializers.CharField(
        max_length=128, trim_whitespace=False, write_only=True, error_messages={"required": "请输入原密码"}
    )
    password = password_field()
    password2 = password_field()

    def validate(self, attrs):
        user = self.instance
        if not user.check_password(attrs["old_password"]):
            raise serializers.ValidationError("原密码错误")
        if attrs["password"] == attrs["old_password"]:
            raise serializers.ValidationError("新密码不能与原密码相同")
        check_new_password(attrs, user)
        return attrs

    def update(self, user, validated_data):
        user.set_password(validated_data["password"])
        user.save(update_fields=["password"])
        return user
