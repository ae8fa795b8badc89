from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meiduo_mall.apps.coupons.serializers import MemberCouponSerializer
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.users.models import Address
from meiduo_mall.utils.serializer_fields import MinuteField, StrictBooleanField

from .models import OrderGoods, OrderInfo, Refund
from .returns import return_deadline
from .services import MAX_ID


class SettlementLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="sku.id")
    name = serializers.CharField(source="sku.name")
    default_image_url = serializers.CharField(source="sku.default_image_url")
    price = serializers.DecimalField(source="sku.price", max_digits=10, decimal_places=2)
    count = serializers.IntegerField()


class SettlementCouponSerializer(MemberCouponSerializer):
    """A coupon the settlement offers (services.CouponOffer): MEMBER_COUPON and the order it would make."""

    discount = serializers.DecimalField(max_digits=10, decimal_places=2)
    freight = serializers.DecimalField(max_digits=10, decimal_places=2)
    total_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    best = serializers.BooleanField()

    def to_representation(self, offer):
        return {
            **MemberCouponSerializer(offer.member_coupon, context=self.context).data,
            "discount": f"{offer.discount:.2f}",
            "freight": f"{offer.freight:.2f}",
            "total_amount": f"{offer.total_amount:.2f}",
            "best": offer.best,
        }


class PlaceOrderSerializer(serializers.Serializer):
    address = serializers.PrimaryKeyRelatedField(
        queryset=Address.objects.none(),
        error_messages={
            "required": "请选择收货地址",
            "null": "请选择收货地址",
            "does_not_exist": "收货地址不存在",
            "incorrect_type": "收货地址不存在",
        },
    )
    # ChoiceField matches on str(value): the page sends 1 or "1" / "2".
    pay_method = serializers.ChoiceField(
        choices=OrderInfo.PayMethod.choices,
        error_messages={"required": "请选择支付方式", "invalid_choice": "支付方式无效", "null": "请选择支付方式"},
    )

    # The MemberCoupon to pay towards the order with (settlement's coupons[].id); absent or null: none.
    coupon_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "invalid": "优惠券不存在",
            "min_value": "优惠券不存在",
            "max_value": "优惠券不存在",
            "max_string_length": "优惠券不存在",
        },
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the member's own live addresses exist for this field; without a member, none do.
        if user is not None:
            self.fields["address"].queryset = Address.objects.filter(user=user, is_deleted=False)


class OrderSKUSerializer(serializers.ModelSerializer):
    class Meta:
        model = SKU
        fields = ("id", "name", "default_image_url")


class OrderLineSerializer(serializers.ModelSerializer):
    sku = OrderSKUSerializer()

    class Meta:
        model = OrderGoods
        fields = ("sku", "count", "price")


class CancelRefundSerializer(serializers.ModelSerializer):
    """The refund a cancel of a paid order started, as its 200 answer shows it."""

    status_name = serializers.CharField(source="get_status_display")

    class Meta:
        model = Refund
        fields = ("amount", "status", "status_name")


class OrderRefundSerializer(CancelRefundSerializer):
    # Null until the gateway has paid it back.
    refunded_time = MinuteField(allow_null=True)

    class Meta(CancelRefundSerializer.Meta):
        fields = (*CancelRefundSerializer.Meta.fields, "refunded_time")


class OrderSerializer(serializers.ModelSerializer):
    create_time = MinuteField()
    # Empty, and null, until the back office ships the order.
    shipped_time = MinuteField(allow_null=True)
    skus = OrderLineSerializer(many=True)
    # Newest first (the views prefetch them in that order); empty for an order nothing was refunded of.
    refunds = OrderRefundSerializer(many=True)
    # When the page may offer 申请退货: null for an order that takes no return.
    return_deadline = serializers.SerializerMethodField()
    # Σ price × count of the lines: total_amount = goods_amount − discount + freight.
    goods_amount = serializers.SerializerMethodField()
    # The name of the coupon the order was paid with; "" for none.
    coupon_name = serializers.SerializerMethodField()

    class Meta:
        model = OrderInfo
        fields = (
            "order_id",
            "create_time",
            "total_count",
            "total_amount",
            "goods_amount",
            "discount",
            "freight",
            "coupon_name",
            "pay_method",
            "status",
            "carrier",
            "tracking_number",
            "shipped_time",
            "skus",
            "refunds",
            "return_deadline",
        )

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_goods_amount(self, order):
        return f"{sum((line.price * line.count for line in order.skus.all()), Decimal('0.00')):.2f}"

    def get_coupon_name(self, order) -> str:
        return order.coupon.coupon.name if order.coupon_id is not None else ""

    @extend_schema_field(MinuteField(allow_null=True))
    def get_return_deadline(self, order):
        # Once every unit is in a return there is nothing left to return: the page offers no 申请退货 then.
        if all(line.returned_count >= line.count for line in order.skus.all()):
            return None
        return MinuteField().to_representation(deadline) if (deadline := return_deadline(order)) else None


class CommentSerializer(serializers.Serializer):
    order = serializers.CharField(required=False, max_length=64)
    sku = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    comment = serializers.CharField(
        min_length=5,
        max_length=200,
        error_messages={"min_length": "评价内容不能少于5个字", "max_length": "评价内容不能超过200个字"},
    )
    score = serializers.IntegerField(min_value=0, max_value=5)
    is_anonymous = StrictBooleanField(default=False)

    def validate_order(self, value):
        if value != self.context["order_id"]:
            raise serializers.ValidationError("订单号不一致")
        return value


class SKUCommentSerializer(serializers.ModelSerializer):
    username = serializers.SerializerMethodField()

    class Meta:
        model = OrderGoods
        fields = ("username", "comment", "score")

    def get_username(self, line) -> str:
        name = line.order.user.username
        if not line.is_anonymous:
            return name
        return f"{name[0]}****{name[-1]}" if len(name) > 1 else "****"
