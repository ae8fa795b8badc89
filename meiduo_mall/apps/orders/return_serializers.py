"""The returns API's shapes (docs/api.md, "Returns"): the member's request in, RETURN and the returnable lines out."""

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from meiduo_mall.utils.serializer_fields import MinuteField, StrictCharField

from . import returns
from .models import ReturnRequest
from .serializers import OrderSKUSerializer

MAX_ID = 2**31 - 1
# No order has this many units of one line; a larger count is refused before any query.
MAX_COUNT = 10000


class ReturnLineInputSerializer(serializers.Serializer):
    order_goods = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    count = serializers.IntegerField(
        min_value=1, max_value=MAX_COUNT, error_messages={"min_value": "退货数量无效", "max_value": "退货数量无效"}
    )


LINE_SCHEMA = {
    "type": "object",
    "properties": {
        "order_goods": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "count": {"type": "integer", "minimum": 1, "maximum": MAX_COUNT},
    },
    "required": ["order_goods", "count"],
}
LINES_SCHEMA = {"type": "array", "items": LINE_SCHEMA, "minItems": 1, "maxItems": returns.MAX_LINES}


@extend_schema_field(
    {
        "oneOf": [
            LINES_SCHEMA,
            {"type": "string", "description": "the same array as JSON text, in a multipart form"},
        ]
    }
)
class ReturnLinesField(serializers.ListField):
    """The lines as a JSON array, or as one form field holding that array's JSON text (the page's multipart
    form, which also carries the photos)."""

    default_error_messages = {"invalid_json": "退货商品格式有误"}

    def __init__(self, **kwargs):
        super().__init__(
            child=ReturnLineInputSerializer(),
            min_length=1,
            max_length=returns.MAX_LINES,
            error_messages={
                "required": "请选择要退货的商品",
                "empty": "请选择要退货的商品",
                "min_length": "请选择要退货的商品",
                "max_length": "退货商品过多",
                "not_a_list": "退货商品格式有误",
            },
            **kwargs,
        )

    def get_value(self, dictionary):
        # One form field with JSON text, not ListField's repeated fields.
        return dictionary.get(self.field_name, empty)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except (ValueError, RecursionError):
                self.fail("invalid_json")
        return super().to_internal_value(data)


class OpenReturnSerializer(serializers.Serializer):
    lines = ReturnLinesField()
    # ChoiceField matches on str(value): a form sends "1", JSON 1.
    reason = serializers.ChoiceField(
        choices=ReturnRequest.Reason.choices,
        error_messages={"required": "请选择退货原因", "invalid_choice": "请选择退货原因", "null": "请选择退货原因"},
    )
    description = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=returns.DESCRIPTION_MAX_LENGTH,
        error_messages={"max_length": f"问题描述不能超过{returns.DESCRIPTION_MAX_LENGTH}个字"},
    )
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False, error_messages={"invalid": "请上传图片文件"}),
        required=False,
        default=list,
        max_length=returns.MAX_PHOTOS,
        error_messages={"max_length": f"最多上传{returns.MAX_PHOTOS}张照片"},
    )


class ShipmentSerializer(serializers.Serializer):
    carrier = StrictCharField(max_length=returns.CARRIER_MAX_LENGTH, error_messages={"blank": "请填写快递公司"})
    tracking_number = StrictCharField(
        max_length=returns.TRACKING_NUMBER_MAX_LENGTH, error_messages={"blank": "请填写快递单号"}
    )


class ReturnLineSerializer(serializers.Serializer):
    sku = OrderSKUSerializer(source="order_goods.sku")
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)


class ReturnRefundSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    status = serializers.IntegerField()
    status_name = serializers.CharField(source="get_status_display")
    refunded_time = MinuteField(allow_null=True)


class TimelineStepSerializer(serializers.Serializer):
    time = MinuteField()
    status = serializers.IntegerField()
    status_name = serializers.CharField()
    note = serializers.CharField()


def latest_refund(return_request):
    """The return's refund (one per return: a failed one is sent again under its own number), or None."""
    refunds = sorted(return_request.refunds.all(), key=lambda refund: refund.create_time)
    return refunds[-1] if refunds else None


def return_timeline(return_request):
    """The steps the return has been through, oldest first, from the times it keeps."""
    Status = ReturnRequest.Status
    steps = [(return_request.create_time, Status.REQUESTED, Status.REQUESTED.label, return_request.description)]
    if return_request.reviewed_time:
        reviewed = Status.REJECTED if return_request.status == Status.REJECTED else Status.APPROVED
        steps.append((return_request.reviewed_time, reviewed, reviewed.label, return_request.operator_note))
    if return_request.sent_back_time:
        parcel = f"{return_request.carrier} {return_request.tracking_number}"
        steps.append((return_request.sent_back_time, Status.SENT_BACK, Status.SENT_BACK.label, parcel))
    if return_request.received_time:
        steps.append((return_request.received_time, Status.RECEIVED, Status.RECEIVED.label, ""))
        refund = latest_refund(return_request)
        if refund is not None:
            # The refund's own state (退款中, 已退款, 退款失败) under the return's last status.
            when = refund.refunded_time or refund.update_time
            note = f"退款金额 ¥{refund.amount:.2f}"
            steps.append((when, Status.RECEIVED, refund.get_status_display(), note))
    return [{"time": time, "status": status, "status_name": name, "note": note} for time, status, name, note in steps]


class ReturnSerializer(serializers.ModelSerializer):
    create_time = MinuteField()
    status_name = serializers.CharField(source="get_status_display")
    reason_name = serializers.CharField(source="get_reason_display")
    lines = ReturnLineSerializer(many=True)
    photos = serializers.SerializerMethodField()
    refund = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = ReturnRequest
        fields = (
            "id",
            "order_id",
            "create_time",
            "status",
            "status_name",
            "reason",
            "reason_name",
            "description",
            "refund_amount",
            "operator_note",
            "carrier",
            "tracking_number",
            "lines",
            "photos",
            "refund",
            "timeline",
        )

    def get_photos(self, return_request) -> list[str]:
        return [photo.image.url for photo in return_request.photos.all()]

    @extend_schema_field(ReturnRefundSerializer(allow_null=True))
    def get_refund(self, return_request):
        refund = latest_refund(return_request)
        return None if refund is None else ReturnRefundSerializer(refund).data

    @extend_schema_field(TimelineStepSerializer(many=True))
    def get_timeline(self, return_request):
        return TimelineStepSerializer(return_timeline(return_request), many=True).data


class ReasonSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()


class ReturnableLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = OrderSKUSerializer()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    count = serializers.IntegerField()
    remaining = serializers.SerializerMethodField()
    # False: the SPU takes no return without reason (food, underwear); the seller's faults are still returnable.
    returnable = serializers.BooleanField(source="sku.goods.returnable")

    def get_remaining(self, line) -> int:
        return max(line.count - line.returned_count, 0)


class ReturnableSerializer(serializers.Serializer):
    order_id = serializers.CharField()
    deadline = MinuteField()
    reasons = ReasonSerializer(many=True)
    lines = ReturnableLineSerializer(many=True)
