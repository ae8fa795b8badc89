from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from haystack import connections
from haystack.query import SearchQuerySet
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.utils.exceptions import ShopError
from meiduo_mall.utils.pagination import StandardResultsSetPagination
from meiduo_mall.utils.schema import MESSAGE, SHOP_ERROR, page_envelope

from ..models import SKU
from .services import ShopperQuery, suggestions

# Loads the configured engine's module now, when the URL table is imported (before uwsgi forks its workers):
# the embedded engine loads jieba's dictionary at import, once for every worker.
connections["default"]

MAX_QUERY_LENGTH = 50


def search_hit(result):
    """One hit in both shapes the search pages read: flat fields and the same under `object`."""
    fields = {
        "id": int(result.pk),
        "name": result.name,
        "price": f"{Decimal(str(result.price)):.2f}",
        "default_image_url": result.default_image_url or "",
        "comments": result.comments,
    }
    return {"text": result.text, **fields, "object": dict(fields)}


SEARCH_HIT_FIELDS = {
    "id": serializers.IntegerField(),
    "name": serializers.CharField(),
    "price": serializers.DecimalField(max_digits=10, decimal_places=2),
    "default_image_url": serializers.CharField(),
    "comments": serializers.IntegerField(),
}
SEARCH_HITS = inline_serializer(
    "SearchHit",
    {
        "text": serializers.CharField(),
        **SEARCH_HIT_FIELDS,
        "object": inline_serializer("SearchHitObject", SEARCH_HIT_FIELDS),
    },
    many=True,
)


class OnePageOfHits:
    """A search seen by Django's paginator, which asks for the count first and the page second: the count
    runs the page's own query (which reports the count), so a page costs the engine one query."""

    def __init__(self, results, start, stop):
        self.results, self.start, self.stop = results, start, stop
        self.hits = None

    def count(self):
        if self.hits is None:
            self.hits = list(self.results[self.start : self.stop])
        return self.results.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, page):
        if self.hits is not None and page.start == self.start and page.stop <= self.stop:
            return self.hits[: page.stop - page.start]
        return list(self.results[page])


class SearchPagination(StandardResultsSetPagination):
    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        try:
            number = max(int(request.query_params.get(self.page_query_param, 1)), 1)
        except ValueError:
            number = 1  # Django's paginator refuses it just after, with the usual 404
        return super().paginate_queryset(
            OnePageOfHits(queryset, (number - 1) * page_size, number * page_size), request, view
        )


class SKUSearchView(APIView):
    """GET /skus/search/?text=&page=&page_size= — Chinese full-text search over launched SKUs."""

    pagination_class = SearchPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("text", str, required=True, description="搜索关键字"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={
            200: page_envelope("SearchPage", SEARCH_HITS),
            400: SHOP_ERROR,
            503: MESSAGE,
        },
    )
    def get(self, request):
        text = request.query_params.get("text", "").strip()
        if not text:
            raise ShopError("请输入搜索关键字")
        if len(text) > MAX_QUERY_LENGTH:
            raise ShopError(f"搜索关键字不能超过{MAX_QUERY_LENGTH}个字")
        paginator = self.pagination_class()
        results = SearchQuerySet().models(SKU).filter(content=ShopperQuery(text))
        try:
            page = paginator.paginate_queryset(results, request, view=self)
        except NotFound:
            if results.count():  # answered by the page's own query
                raise
            page = []
        if not page and not results.count():
            # Not one SKU has every word: those with some of them, the most words first (the engine's score).
            results = SearchQuerySet().models(SKU).filter(content=ShopperQuery(text, any_word=True))
            page = paginator.paginate_queryset(results, request, view=self)
        return paginator.get_paginated_response([search_hit(result) for result in page])


class SKUSearchSuggestView(APIView):
    """GET /skus/search/suggest/?text= — what the header's search box offers while the shopper types."""

    @extend_schema(
        parameters=[OpenApiParameter("text", str, description="已输入的搜索关键字")],
        responses={
            200: inline_serializer(
                "SearchSuggestions",
                {
                    "names": serializers.ListField(child=serializers.CharField()),
                    "categories": inline_serializer(
                        "SuggestedCategory",
                        {"id": serializers.IntegerField(), "name": serializers.CharField()},
                        many=True,
                    ),
                },
            ),
            400: SHOP_ERROR,
            503: MESSAGE,
        },
    )
    def get(self, request):
        text = request.query_params.get("text", "").strip()
        if len(text) > MAX_QUERY_LENGTH:
            raise ShopError(f"搜索关键字不能超过{MAX_QUERY_LENGTH}个字")
        if not text:
            return Response({"names": [], "categories": []})
        return Response(suggestions(text))
