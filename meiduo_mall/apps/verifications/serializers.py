from rest_framework import serializers


class ImageCodeSerializer(serializers.Serializer):
    """The captcha a shopper typed (`text`) and the id of the image it was read from."""

    image_code_id = serializers.RegexField(
        r"^[\w-]{1,64}$", error_messages={"required": "缺少图片验证码编号", "invalid": "图片验证码编号有误"}
    )
    text = serializers.CharField(
        max_length=10, error_messages={"required": "请输入图片验证码", "blank": "请输入图片验证码"}
    )
