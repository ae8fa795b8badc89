"""Coupons as the pages read them (docs/api.md C1–C3): a template in the coupon centre (COUPON) and a copy a
member holds (MEMBER_COUPON, also settlement's coupons)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meiduo_mall.utils.serializer_fields import MinuteField

from .models import Coupon, MemberCoupon
from .pricing import describe
from .scopes import scope_of


def member_coupon_status(member_coupon, now):
    if member_coupon.status == MemberCoupon.Status.USED:
        return "used"
    return "expired" if member_coupon.valid_until <= now else "usable"


class CouponRuleFields(serializers.Serializer):
    """What a coupon gives and where, read from the template (`coupon_of`)."""

    name = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField()
    kind_name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    threshold = serializers.SerializerMethodField()
    scope = serializers.SerializerMethodField()
    scope_name = serializers.SerializerMethodField()
    scope_text = serializers.SerializerMethodField()

    def coupon_of(self, obj):
        return obj

    def get_name(self, obj) -> str:
        return self.coupon_of(obj).name

    @extend_schema_field(serializers.ChoiceField(choices=Coupon.Kind.choices))
    def get_kind(self, obj):
        return self.coupon_of(obj).kind

    def get_kind_name(self, obj) -> str:
        return self.coupon_of(obj).get_kind_display()

    def get_description(self, obj) -> str:
        return describe(self.coupon_of(obj))

    @extend_schema_field({"type": "string", "format": "decimal", "example": "100.00"})
    def get_threshold(self, obj):
        return f"{self.coupon_of(obj).threshold:.2f}"

    @extend_schema_field(serializers.ChoiceField(choices=Coupon.Scope.choices))
    def get_scope(self, obj):
        return self.coupon_of(obj).scope

    def get_scope_name(self, obj) -> str:
        return self.coupon_of(obj).get_scope_display()

    def get_scope_text(self, obj) -> str:
        return scope_of(self.coupon_of(obj)).text


class CouponSerializer(CouponRuleFields):
    """C1's COUPON; the context holds `claimed` ({coupon id: the member's copies}, empty for a guest) and
    whether the shopper is a guest."""

    id = serializers.IntegerField()
    valid_from = MinuteField(allow_null=True)
    valid_until = MinuteField(allow_null=True)
    valid_days = serializers.IntegerField(allow_null=True)
    remaining = serializers.SerializerMethodField()
    per_member_limit = serializers.IntegerField()
    claimed = serializers.SerializerMethodField()
    can_claim = serializers.SerializerMethodField()

    def get_remaining(self, coupon) -> int:
        return max(coupon.total_quantity - coupon.issued_count, 0)

    def get_claimed(self, coupon) -> int:
        return self.context["claimed"].get(coupon.pk, 0)

    def get_can_claim(self, coupon) -> bool:
        # A guest may claim what is left once logged in: the page offers the button and asks for the login.
        return self.get_remaining(coupon) > 0 and self.get_claimed(coupon) < coupon.per_member_limit


class MemberCouponSerializer(CouponRuleFields):
    """MEMBER_COUPON; the context's `now` (default: the time of serializing) decides usable or expired.
    `order_id` comes from the prefetched `orders` when they are there."""

    id = serializers.IntegerField()
    coupon = serializers.IntegerField(source="coupon_id")
    valid_from = MinuteField()
    valid_until = MinuteField()
    status = serializers.SerializerMethodField()
    used_time = MinuteField(allow_null=True)
    order_id = serializers.SerializerMethodField()
    source_name = serializers.CharField(source="get_source_display")

    def coupon_of(self, member_coupon):
        return member_coupon.coupon

    @extend_schema_field({"type": "string", "enum": ["usable", "used", "expired"]})
    def get_status(self, member_coupon):
        return member_coupon_status(member_coupon, self.context.get("now") or timezone.now())

    def get_order_id(self, member_coupon) -> str | None:
        if member_coupon.status != MemberCoupon.Status.USED:
            return None
        # A coupon given back by a cancel and used again names every order it paid towards: the newest used it.
        order = next(iter(member_coupon.orders.all()), None)
        return order.order_id if order else None
