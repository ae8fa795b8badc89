import re

from rest_framework import serializers

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


class QQBindSerializer(serializers.Serializer):
    access_token = serializers.CharField(max_length=500)
    mobile = serializers.CharField(max_length=11)
    password = serializers.CharField(min_length=8, max_length=20)
    sms_code = serializers.CharField(max_length=6)

    def validate_mobile(self, value):
        if not MOBILE_RE.match(value):
            raise serializers.ValidationError("手机号格式错误")
        return value
