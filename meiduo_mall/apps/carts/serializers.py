from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict

from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.utils.serializer_fields import StrictBooleanField

from .stores import MAX_LINE_COUNT, MAX_SKU_ID

SKU_ID_ERRORS = {
    "required": "缺少商品编号",
    "null": "缺少商品编号",
    "invalid": "商品不存在",
    "min_value": "商品不存在",
    "max_value": "商品不存在",
    "max_string_length": "商品不存在",
}
COUNT_ERRORS = {
    "required": "缺少商品数量",
    "null": "缺少商品数量",
    "invalid": f"商品数量须为1到{MAX_LINE_COUNT}之间的整数",
    "min_value": f"商品数量须为1到{MAX_LINE_COUNT}之间的整数",
    "max_value": f"商品数量须为1到{MAX_LINE_COUNT}之间的整数",
    "max_string_length": f"商品数量须为1到{MAX_LINE_COUNT}之间的整数",
}
SELECTED_ERRORS = {"required": "缺少勾选状态", "null": "缺少勾选状态", "invalid": "勾选状态须为true或false"}


class InputSerializer(serializers.Serializer):
    """DRF deep-copies the declared fields for every instance, a tenth of an add to the cart. These serializers
    only read input, and their fields (integers and booleans) keep nothing of a call and never look at the
    parent's context, so each class binds one set of fields and every instance uses it.
    """

    @property
    def fields(self):
        fields = type(self).__dict__.get("_bound_fields")
        if fields is None:
            fields = BindingDict(self)
            for name, field in self.get_fields().items():
                fields[name] = field
            type(self)._bound_fields = fields
        return fields


def sku_id_field():
    return serializers.IntegerField(min_value=1, max_value=MAX_SKU_ID, error_messages=SKU_ID_ERRORS)


class CartLineSerializer(InputSerializer):
    """POST and PUT /cart/: {sku_id, count, selected=true}. Whether the SKU is for sale and has the stock is
    checked by the store with the change itself (services.add_to_cart, change_line)."""

    sku_id = sku_id_field()
    count = serializers.IntegerField(min_value=1, max_value=MAX_LINE_COUNT, error_messages=COUNT_ERRORS)
    selected = StrictBooleanField(default=True, error_messages=SELECTED_ERRORS)


class CartRemovalSerializer(InputSerializer):
    sku_id = sku_id_field()


class CartSelectionSerializer(InputSerializer):
    selected = StrictBooleanField(error_messages=SELECTED_ERRORS)


class CartSKUSerializer(serializers.ModelSerializer):
    """A line of GET /cart/: the SKU plus its count and selection. Documents the rows services.cart_lines()
    builds (a test holds them equal)."""

    count = serializers.IntegerField()
    selected = serializers.BooleanField()

    class Meta:
        model = SKU
        fields = ("id", "name", "price", "default_image_url", "count", "selected")
