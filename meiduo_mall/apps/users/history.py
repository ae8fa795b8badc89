"""Browse history (docs/api.md C4, C5): the SKUs a member looked at last, newest first."""

from django.conf import settings
from django_redis import get_redis_connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.goods.serializers import SKUSerializer
from meiduo_mall.apps.goods.services import skus_in_order
from meiduo_mall.utils.db_router import replica_reads


def history_key(user_id):
    return f"history_{user_id}"


def record_visit(user_id, sku_id):
    """Move the SKU to the front of the member's history and keep the newest few, in one round trip."""
    pipeline = get_redis_connection("history").pipeline()
    key = history_key(user_id)
    pipeline.lrem(key, 0, sku_id)
    pipeline.lpush(key, sku_id)
    pipeline.ltrim(key, 0, settings.USER_BROWSING_HISTORY_COUNTS_LIMIT - 1)
    pipeline.execute()


def viewed_skus(user_id):
    """The history's launched SKUs in history order, with one SQL query."""
    ids = [int(sku_id) for sku_id in get_redis_connection("history").lrange(history_key(user_id), 0, -1)]
    return skus_in_order(ids)


class BrowseHistorySerializer(serializers.Serializer):
    sku_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)

    def validate_sku_id(self, value):
        if not SKU.objects.filter(id=value, is_launched=True).exists():
            raise serializers.ValidationError("商品不存在")
        return value


class BrowseHistoryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=BrowseHistorySerializer, responses={201: BrowseHistorySerializer})
    def post(self, request):
        serializer = BrowseHistorySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record_visit(request.user.id, serializer.validated_data["sku_id"])
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=SKUSerializer(many=True))
    @replica_reads()
    def get(self, request):
        return Response(SKUSerializer(viewed_skus(request.user.id), many=True).data)
