from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from meiduo_mall.utils.pagination import StandardResultsSetPagination

from . import services
from .exceptions import CategoryNotFound, PageOutOfRange
from .serializers import SKUSerializer

CATEGORY_NOT_FOUND = "商品类别不存在"


def positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


class CategorySKUListView(APIView):
    """G1: one page of a level-3 category's launched SKUs."""

    pagination = StandardResultsSetPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="at most 20"),
            OpenApiParameter("ordering", str, enum=list(services.LIST_ORDERINGS), description="unknown values ignored"),
        ],
        responses=inline_serializer(
            "SKUPage",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": SKUSerializer(many=True),
            },
        ),
    )
    def get(self, request, category_id):
        page = positive_int(request.query_params.get("page", 1))
        if page is None:
            raise NotFound("无效页面")
        page_size = positive_int(request.query_params.get(self.pagination.page_size_query_param))
        page_size = min(page_size or self.pagination.page_size, self.pagination.max_page_size)
        ordering = request.query_params.get("ordering", services.DEFAULT_ORDERING)
        try:
            data = services.sku_list_page(category_id, ordering, page, page_size)
        except CategoryNotFound as exc:
            raise NotFound(CATEGORY_NOT_FOUND) from exc
        except PageOutOfRange as exc:
            raise NotFound("无效页面") from exc
        return Response({**self.links(request, page, page_size, data["count"]), **data})

    def links(self, request, page, page_size, count):
        url = request.build_absolute_uri()
        has_next = page * page_size < count
        previous = None
        if page == 2:
            previous = remove_query_param(url, "page")
        elif page > 2:
            previous = replace_query_param(url, "page", page - 1)
        return {"next": replace_query_param(url, "page", page + 1) if has_next else None, "previous": previous}


class CategoryHotSKUsView(APIView):
    """G3: the category's best sellers, a bare array."""

    @extend_schema(responses=SKUSerializer(many=True))
    def get(self, request, category_id):
        try:
            return Response(services.hot_skus(category_id))
        except CategoryNotFound as exc:
            raise NotFound(CATEGORY_NOT_FOUND) from exc


class CategoryView(APIView):
    """G2: the breadcrumb of a category."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, category_id):
        try:
            return Response(services.category_breadcrumb(category_id))
        except CategoryNotFound as exc:
            raise NotFound(CATEGORY_NOT_FOUND) from exc
