from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.utils.db_router import replica_reads
from meiduo_mall.utils.exceptions import message_body, message_list
from meiduo_mall.utils.parsers import BoundedJSONParser
from meiduo_mall.utils.schema import MESSAGE, SHOP_ERROR

from . import intents, returns, services
from .models import OrderGoods, OrderInfo, Refund, ReturnLine, ReturnPhoto, ReturnRequest
from .return_serializers import OpenReturnSerializer, ReturnableSerializer, ReturnSerializer, ShipmentSerializer
from .serializers import (
    CancelRefundSerializer,
    CommentSerializer,
    OrderLineSerializer,
    OrderSerializer,
    PlaceOrderSerializer,
    SettlementCouponSerializer,
    SettlementLineSerializer,
    SKUCommentSerializer,
)

SKU_COMMENTS_LIMIT = 30
PLACED_ORDER = inline_serializer(
    "PlacedOrder",
    {
        "order_id": serializers.CharField(),
        "total_amount": serializers.CharField(),
        "discount": serializers.CharField(),
        "freight": serializers.CharField(),
    },
)


def members_orders(user):
    """The member's orders, newest first, with their lines and SKUs and their refunds in three more queries."""
    lines = OrderGoods.objects.select_related("sku").order_by("id")
    refunds = Refund.objects.order_by("-create_time", "-id")
    return (
        OrderInfo.objects.filter(user=user)
        .select_related("coupon__coupon")
        .order_by("-create_time", "-order_id")
        .prefetch_related(Prefetch("skus", queryset=lines), Prefetch("refunds", queryset=refunds))
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


def money(value):
    return None if value is None else f"{value:.2f}"


SETTLEMENT = inline_serializer(
    "Settlement",
    {
        "freight": serializers.DecimalField(max_digits=10, decimal_places=2),
        "skus": SettlementLineSerializer(many=True),
        "address": serializers.IntegerField(allow_null=True),
        "goods_amount": serializers.DecimalField(max_digits=12, decimal_places=2),
        "free_freight_over": serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True),
        "coupons": SettlementCouponSerializer(many=True),
        "best_coupon": serializers.IntegerField(allow_null=True),
    },
)


class SettlementView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "address",
                int,
                required=False,
                description="the member's address to price the freight for; default: the member's default address",
            )
        ],
        responses={200: SETTLEMENT, 400: OpenApiResponse(SHOP_ERROR, description="收货地址不存在")},
    )
    def get(self, request):
        address = services.settlement_address(request.user, request.query_params.get("address"))
        settlement = services.settle(request.user, address)
        return Response(
            {
                "freight": money(settlement.freight),
                "skus": settlement.lines,
                "address": settlement.address_id,
                "goods_amount": money(settlement.goods_amount),
                "free_freight_over": money(settlement.free_freight_over),
                "coupons": SettlementCouponSerializer(settlement.offers, many=True).data,
                "best_coupon": settlement.best_coupon_id,
            }
        )


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
            {
                "order_id": order.order_id,
                "total_amount": money(order.total_amount),
                "discount": money(order.discount),
                "freight": money(order.freight),
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class OrderDetailView(RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer
    lookup_field = "order_id"

    def get_queryset(self):
        return members_orders(self.request.user)


class OrderCancelView(APIView):
    """PUT: an unpaid order is cancelled; one paid and waiting for shipment is cancelled with a full refund."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "OrderCancelled",
                {
                    "order_id": serializers.CharField(),
                    "status": serializers.IntegerField(),
                    "refund": CancelRefundSerializer(allow_null=True),
                },
            ),
            400: OpenApiResponse(SHOP_ERROR, description="订单当前不能取消: shipped, received or cancelled already"),
            404: OpenApiResponse(description="not the member's order"),
        },
    )
    def put(self, request, order_id):
        order = owned_order(request, order_id)
        refund = services.cancel_order(order)
        return Response(
            {
                "order_id": order.order_id,
                "status": order.status,
                "refund": CancelRefundSerializer(refund).data if refund else None,
            }
        )


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


def members_returns(user):
    """The member's returns, newest first, with their lines, photos and refunds in a few more queries."""
    return (
        ReturnRequest.objects.filter(user=user)
        .order_by("-create_time", "-id")
        .prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("order_goods__sku").order_by("id")),
            Prefetch("photos", queryset=ReturnPhoto.objects.order_by("id")),
            "refunds",
        )
    )


class OrderReturnsView(APIView):
    """POST: the member asks to return units of a received order (a multipart form with photos, or JSON)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, BoundedJSONParser]
    # The lines' errors nest ({"lines": {"0": {...}}}): the page reads the first of them as `message`.
    error_shape = message_body

    @extend_schema(
        request={"multipart/form-data": OpenReturnSerializer, "application/json": OpenReturnSerializer},
        responses={
            201: ReturnSerializer,
            400: OpenApiResponse(SHOP_ERROR, description="a rule refuses the return (deadline, count, reason, photo)"),
            404: OpenApiResponse(description="not the member's order"),
        },
    )
    def post(self, request, order_id):
        order = owned_order(request, order_id)
        serializer = OpenReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lines = [(line["order_goods"], line["count"]) for line in data["lines"]]
        opened = returns.open_return(request.user, order, lines, data["reason"], data["description"], data["photos"])
        return Response(
            ReturnSerializer(members_returns(request.user).get(pk=opened.pk)).data, status=status.HTTP_201_CREATED
        )


class ReturnableView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: ReturnableSerializer,
            400: OpenApiResponse(SHOP_ERROR, description="the order takes no return (not received, past 7 days)"),
            404: OpenApiResponse(description="not the member's order"),
        }
    )
    def get(self, request, order_id):
        order = owned_order(request, order_id)
        lines = returns.returnable_lines(order)
        reasons = [{"value": value, "label": label} for value, label in ReturnRequest.Reason.choices]
        body = {"order_id": order.order_id, "deadline": returns.return_deadline(order), "reasons": reasons}
        return Response(ReturnableSerializer({**body, "lines": lines}).data)


class ReturnListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ReturnSerializer

    def get_queryset(self):
        return members_returns(self.request.user)


class ReturnDetailView(RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ReturnSerializer
    lookup_url_kwarg = "return_id"

    def get_queryset(self):
        return members_returns(self.request.user)


class ReturnShipmentView(APIView):
    permission_classes = [IsAuthenticated]
    error_shape = message_body

    @extend_schema(
        request=ShipmentSerializer,
        responses={
            200: ReturnSerializer,
            400: OpenApiResponse(SHOP_ERROR, description="the return is not waiting for its parcel"),
            404: OpenApiResponse(description="not the member's return"),
        },
    )
    def put(self, request, return_id):
        return_request = get_object_or_404(ReturnRequest, pk=return_id, user=request.user)
        serializer = ShipmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        returns.send_back(return_request, request.user, **serializer.validated_data)
        return Response(ReturnSerializer(members_returns(request.user).get(pk=return_request.pk)).data)
