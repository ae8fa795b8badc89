from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.utils.db_router import replica_reads
from meiduo_mall.utils.exceptions import message_list
from meiduo_mall.utils.schema import MESSAGE, SHOP_ERROR

from . import intents, services
from .exceptions import OrderStateError
from .models import OrderGoods, OrderInfo
from .serializers import (
    CommentSerializer,
    OrderLineSerializer,
    OrderSerializer,
    PlaceOrderSerializer,
    SettlementLineSerializer,
    SKUCommentSerializer,
)

SKU_COMMENTS_LIMIT = 30
PLACED_ORDER = inline_serializer(
    "PlacedOrder", {"order_id": serializers.CharField(), "total_amount": serializers.CharField()}
)


def members_orders(user):
    """The member's orders, newest first, with their lines and SKUs in two more queries."""
    lines = OrderGoods.objects.select_related("sku").order_by("id")
    return (
        OrderInfo.objects.filter(user=user)
        .order_by("-create_time", "-order_id")
        .prefetch_related(Prefetch("skus", queryset=lines))
    )


def owned_order(request, order_id):
    return get_object_or_404(OrderInfo, order_id=order_id, user=request.user)


ORDER_STEP_SCHEMA = extend_schema(
    request=None,
    responses={
        200: inline_serializer(
            "OrderStep", {"order_id": serializers.CharField(), "status": serializers.IntegerField()}
        ),
        400: OpenApiResponse(SHOP_ERROR, description="the order is not in the right state"),
        404: OpenApiResponse(description="not the member's order"),
    },
)


class SettlementView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Settlement",
            {"freight": serializers.CharField(), "skus": SettlementLineSerializer(many=True)},
        )
    )
    def get(self, request):
        return Response({"freight": str(services.order_freight()), "skus": services.settlement_lines(request.user)})


class OrderListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer

    def get_queryset(self):
        return members_orders(self.request.user)


class OrdersView(OrderListView):
    """GET: my orders; POST: place an order from the selected cart lines."""

    error_shape = message_list

    @extend_schema(
        request=PlaceOrderSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description="one per intent (1-64 of A-Z a-z 0-9 _ -); sent again, it returns the same order (200)",
            )
        ],
        responses={
            201: PLACED_ORDER,
            200: OpenApiResponse(PLACED_ORDER, description="the order already placed with this Idempotency-Key"),
            400: OpenApiResponse(description='a bare list of messages, e.g. ["<商品名> 库存不足"]'),
            409: OpenApiResponse(MESSAGE, description="订单正在提交，请勿重复提交: the previous submit still runs"),
        },
    )
    def post(self, request):
        serializer = PlaceOrderSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        order, created = intents.place_order_once(
            request.user, idempotency_key=request.headers.get("Idempotency-Key"), **serializer.validated_data
        )
        return Response(
            {"order_id": order.order_id, "total_amount": str(order.total_amount)},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class OrderDetailView(RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer
    lookup_field = "order_id"

    def get_queryset(self):
        return members_orders(self.request.user)


class OrderCancelView(APIView):
    permission_classes = [IsAuthenticated]

    @ORDER_STEP_SCHEMA
    def put(self, request, order_id):
        order = owned_order(request, order_id)
        if not services.cancel(order):
            raise OrderStateError("订单当前不能取消")
        return Response({"order_id": order.order_id, "status": order.status})


class OrderReceiptView(APIView):
    permission_classes = [IsAuthenticated]

    @ORDER_STEP_SCHEMA
    def put(self, request, order_id):
        order = owned_order(request, order_id)
        services.confirm_receipt(order)
        return Response({"order_id": order.order_id, "status": order.status})


class UncommentedGoodsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: OrderLineSerializer(many=True),
            400: OpenApiResponse(SHOP_ERROR, description="the order is not waiting for comments"),
        }
    )
    def get(self, request, order_id):
        order = owned_order(request, order_id)
        return Response(OrderLineSerializer(services.uncommented_lines(order), many=True).data)


class OrderCommentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CommentSerializer,
        responses={
            201: inline_serializer(
                "OrderComment",
                {
                    "order_id": serializers.CharField(),
                    "sku": serializers.IntegerField(),
                    "status": serializers.IntegerField(),
                },
            )
        },
    )
    def post(self, request, order_id):
        order = owned_order(request, order_id)
        serializer = CommentSerializer(data=request.data, context={"order_id": order.order_id})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.comment_order_line(order, data["sku"], data["comment"], data["score"], data["is_anonymous"])
        return Response(
            {"order_id": order.order_id, "sku": data["sku"], "status": order.status}, status=status.HTTP_201_CREATED
        )


class SKUCommentsView(APIView):
    """Recent comments on a SKU for its detail page; not paginated (docs/api.md G5)."""

    # Public: a stale token in the shopper's browser must not hide the comments.
    authentication_classes = []

    @extend_schema(responses=SKUCommentSerializer(many=True))
    @replica_reads()
    def get(self, request, sku_id):
        comments = (
            OrderGoods.objects.filter(sku_id=sku_id, is_commented=True)
            .select_related("order__user")
            .order_by("-update_time")[:SKU_COMMENTS_LIMIT]
        )
        return Response(SKUCommentSerializer(comments, many=True).data)
