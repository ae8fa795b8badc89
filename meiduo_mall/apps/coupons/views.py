from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.utils.exceptions import ShopError
from meiduo_mall.utils.schema import MESSAGE, SHOP_ERROR

from . import services
from .serializers import CouponSerializer, MemberCouponSerializer


class CouponCentreView(APIView):
    """C1: the coupons members can claim, for guests and members alike."""

    permission_classes = [AllowAny]

    def perform_authentication(self, request):
        # A stale token left in the browser makes a guest here, never a 401 (see member_or_guest).
        pass

    @extend_schema(responses=inline_serializer("CouponCentre", {"coupons": CouponSerializer(many=True)}))
    def get(self, request):
        coupons = services.claimable_coupons()
        claimed = services.claimed_counts(member_or_guest(request), coupons)
        return Response({"coupons": CouponSerializer(coupons, many=True, context={"claimed": claimed}).data})


def member_or_guest(request):
    try:
        user = request.user
    except AuthenticationFailed:
        return None
    return user if user.is_authenticated else None


class CouponClaimView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            201: MemberCouponSerializer,
            400: OpenApiResponse(SHOP_ERROR, description="优惠券已领完, 每人限领N张 or 优惠券已过期"),
            404: OpenApiResponse(MESSAGE, description="优惠券不存在: unknown, not public or switched off"),
        },
    )
    def post(self, request, coupon_id):
        now = timezone.now()
        member_coupon = services.claim_coupon(request.user, coupon_id, now)
        return Response(
            MemberCouponSerializer(member_coupon, context={"now": now}).data, status=status.HTTP_201_CREATED
        )


class MyCouponsView(APIView):
    """C3: the member's coupons under one tab, and how many are under each."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=services.MEMBERS_COUPON_TABS, default="usable", required=False),
        ],
        responses={
            200: inline_serializer(
                "MyCoupons",
                {
                    "counts": inline_serializer(
                        "MyCouponCounts", {tab: serializers.IntegerField() for tab in services.MEMBERS_COUPON_TABS}
                    ),
                    "coupons": MemberCouponSerializer(many=True),
                },
            ),
            400: OpenApiResponse(SHOP_ERROR, description="优惠券状态无效: status is not usable, used or expired"),
        },
    )
    def get(self, request):
        tab = request.query_params.get("status", "usable")
        if tab not in services.MEMBERS_COUPON_TABS:
            raise ShopError("优惠券状态无效")
        now = timezone.now()
        counts, coupons = services.members_coupons(request.user, tab, now)
        return Response(
            {"counts": counts, "coupons": MemberCouponSerializer(coupons, many=True, context={"now": now}).data}
        )
