from rest_framework import serializers

from meiduo_mall.apps.areas.models import Area
from meiduo_mall.utils.mobile import MOBILE_RE
from meiduo_mall.utils.serializer_fields import StrictCharField

from .models import Address

# Area codes fit a signed 32-bit column; anything larger is not an area.
AREA_ID_MAX = 2**31 - 1
TEL_RE = r"^(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?$"


def area_id_field(label):
    messages = {"required": f"请选择{label}", "null": f"请选择{label}", "invalid": f"{label}数据有误"}
    messages["min_value"] = messages["max_value"] = messages["invalid"]
    return serializers.IntegerField(min_value=1, max_value=AREA_ID_MAX, error_messages=messages)


class AddressSerializer(serializers.ModelSerializer):
    """An address as docs/api.md A3–A8 answer it; the area names are read-only, the `*_id` fields choose the areas."""

    province = serializers.StringRelatedField(read_only=True)
    city = serializers.StringRelatedField(read_only=True)
    district = serializers.StringRelatedField(read_only=True)
    province_id = area_id_field("省份")
    city_id = area_id_field("城市")
    district_id = area_id_field("区县")
    receiver = StrictCharField(
        max_length=20,
        error_messages={"required": "请填写收货人", "blank": "请填写收货人", "max_length": "收货人最多20个字"},
    )
    title = StrictCharField(
        max_length=20,
        required=False,
        allow_blank=True,
        allow_null=True,
        error_messages={"max_length": "地址名称最多20个字"},
    )
    place = StrictCharField(
        max_length=50,
        error_messages={"required": "请填写详细地址", "blank": "请填写详细地址", "max_length": "详细地址最多50个字"},
    )
    mobile = serializers.RegexField(
        MOBILE_RE, error_messages={"required": "请填写手机号", "blank": "请填写手机号", "invalid": "手机号格式错误"}
    )
    tel = serializers.RegexField(
        TEL_RE, required=False, allow_blank=True, allow_null=True, error_messages={"invalid": "固定电话格式错误"}
    )
    email = serializers.EmailField(
        max_length=30,
        required=False,
        allow_blank=True,
        allow_null=True,
        error_messages={"invalid": "邮箱格式错误", "max_length": "邮箱最多30个字符"},
    )

    class Meta:
        model = Address
        fields = [
            "id",
            "title",
            "receiver",
            "province",
            "city",
            "district",
            "province_id",
            "city_id",
            "district_id",
            "place",
            "mobile",
            "tel",
            "email",
        ]

    def validate(self, attrs):
        areas = Area.objects.in_bulk([attrs["province_id"], attrs["city_id"], attrs["district_id"]])
        province = areas.get(attrs["province_id"])
        city = areas.get(attrs["city_id"])
        district = areas.get(attrs["district_id"])
        if province is None or province.parent_id is not None:
            raise serializers.ValidationError("省份数据有误")
        if city is None or city.parent_id != province.id:
            raise serializers.ValidationError("城市不属于所选省份")
        if district is None or district.parent_id != city.id:
            raise serializers.ValidationError("区县不属于所选城市")
        # The pages send title = receiver; a bare API call without a title gets the same.
        attrs["title"] = attrs.get("title") or attrs["receiver"]
        attrs["tel"] = attrs.get("tel") or ""
        attrs["email"] = attrs.get("email") or ""
        return attrs


class AddressTitleSerializer(serializers.ModelSerializer):
    title = serializers.CharField(
        max_length=20,
        error_messages={"required": "请填写地址名称", "blank": "请填写地址名称", "max_length": "地址名称最多20个字"},
    )

    class Meta:
        model = Address
        fields = ["title"]
