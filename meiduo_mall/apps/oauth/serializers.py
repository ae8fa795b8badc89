from rest_framework import serializers

from meiduo_mall.utils.mobile import is_mobile


class QQBindSerializer(serializers.Serializer):
    access_token = serializers.CharField(max_length=500)
    mobile = serializers.CharField(max_length=11)
    password = serializers.CharField(min_length=8, max_length=20)
    sms_code = serializers.CharField(max_length=6)

    def validate_mobile(self, value):
        if not is_mobile(value):
            raise serializers.ValidationError("手机号格式错误")
        return value
