import json
import re
from decimal import Decimal
from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers

from meiduo_mall.utils.db_router import replica_reads
from meiduo_mall.utils.exceptions import detail_body
from meiduo_mall.utils.pagination import StandardResultsSetPagination
from meiduo_mall.utils.ready_json import PublicCachedJSONView
from meiduo_mall.utils.schema import SHOP_ERROR, page_envelope

from . import services
from .exceptions import InvalidListFilter, PageOutOfRange
from .serializers import SKUSerializer


def positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


# Ids and prices the columns can hold: anything larger is refused rather than sent to the database.
MAX_ID = 2**63 - 1
# A price as the schema describes it: yuan with at most 8 digits, and cents.
PRICE_PATTERN = r"^[0-9]{1,8}(\.[0-9]{1,2})?$"
CENT = Decimal("0.01")


def brand_filter(value):
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise InvalidListFilter(errors={"brand": ["品牌无效"]})
    return int(value)


def price_filter(name, value):
    """A price bound as Decimal to the cent (so 100 and 100.00 share a cache entry); None when absent."""
    if value is None or value == "":
        return None
    if not re.fullmatch(PRICE_PATTERN, value):
        raise InvalidListFilter(errors={name: ["价格无效"]})
    return Decimal(value).quantize(CENT)


def list_filter(query):
    filters = services.ListFilter(
        brand_filter(query.get("brand")),
        price_filter("price_min", query.get("price_min")),
        price_filter("price_max", query.get("price_max")),
    )
    if filters.price_min is not None and filters.price_max is not None and filters.price_min > filters.price_max:
        raise InvalidListFilter("最低价不能高于最高价")
    return filters


class CategorySKUListView(PublicCachedJSONView):
    """G1: one page of a level-3 category's launched SKUs, optionally of one brand and a price range."""

    pagination = StandardResultsSetPagination
    error_shape = detail_body

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="at most 20"),
            OpenApiParameter("ordering", str, enum=list(services.LIST_ORDERINGS), description="unknown values ignored"),
            OpenApiParameter("brand", int, description="a brand id (G6): only that brand's SKUs"),
            OpenApiParameter("price_min", str, pattern=PRICE_PATTERN, description="lowest price, yuan, to the cent"),
            OpenApiParameter("price_max", str, pattern=PRICE_PATTERN, description="highest price, not below price_min"),
        ],
        responses={
            200: page_envelope("SKUPage", SKUSerializer(many=True)),
            400: SHOP_ERROR,
        },
    )
    def get(self, request, category_id):
        return super().get(request, category_id=category_id)

    @replica_reads()
    def answer(self, request, category_id):
        page, page_size, ordering, filters = self.page_query(request)
        count, results = services.sku_list_page(category_id, ordering, page, page_size, filters)
        next_page = page + 1 if page * page_size < count else None
        return b'{"count":%d,"next":%s,"previous":%s,"results":%s}' % (
            count,
            *page_links(request, next_page, page - 1),
            results,
        )

    def page_query(self, request):
        """(page, page_size, ordering, filters) of the request, read once per query string: building Django's
        QueryDict took a cached page more time than everything else it does."""
        raw = request.META.get("QUERY_STRING", "")
        parsed = page_queries.get(raw)
        if parsed is None:
            query = request.GET
            page = positive_int(query.get("page", 1))
            if page is None:
                raise PageOutOfRange
            page_size = positive_int(query.get(self.pagination.page_size_query_param))
            page_size = min(page_size or self.pagination.page_size, self.pagination.max_page_size)
            if len(page_queries) >= PER_URL_KEPT:
                page_queries.clear()
            ordering = query.get("ordering", services.DEFAULT_ORDERING)
            parsed = page_queries[raw] = (page, page_size, ordering, list_filter(query))
        return parsed


# Per-worker memos of what a list request's URL decides, cleared whole when full.
PER_URL_KEPT = 4096
page_queries = {}
page_links_made = {}
# Everything build_absolute_uri() reads from a request, besides its path and query string.
URL_INPUTS = (
    "wsgi.url_scheme",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
)


def page_links(request, next_page, previous_page):
    """The JSON of the links to the next and previous pages (null for none), made once per URL: encoding
    them cost a cached page more than the rest of its answer."""
    meta = request.META
    # The next page depends on the count too: the last page has none.
    key = (next_page, request.path, meta.get("QUERY_STRING", ""), *map(meta.get, URL_INPUTS))
    links = page_links_made.get(key)
    if links is None:
        if len(page_links_made) >= PER_URL_KEPT:
            page_links_made.clear()
        links = page_links_made[key] = (page_link(request, next_page), page_link(request, previous_page))
    return links


def page_link(request, page):
    """The JSON of the link to `page` of this list (null for none): this request's URL with only the page
    replaced; page 1 drops the parameter, like DRF's paginator."""
    if not page:
        return b"null"
    params = dict(request.GET.lists())
    if page == 1:
        params.pop("page", None)
    else:
        params["page"] = [page]
    url = request.build_absolute_uri(f"{request.path}?{urlencode(params, doseq=True)}" if params else request.path)
    return json.dumps(url).encode()


class CategoryHotSKUsView(PublicCachedJSONView):
    """G3: the category's best sellers, a bare array."""

    error_shape = detail_body

    @extend_schema(responses=SKUSerializer(many=True))
    def get(self, request, category_id):
        return super().get(request, category_id=category_id)

    @replica_reads()
    def answer(self, request, category_id):
        return services.hot_skus(category_id)


class CategoryBrandsView(PublicCachedJSONView):
    """G6: the brands of a category's launched SKUs, for the list page's brand filter."""

    error_shape = detail_body

    @extend_schema(
        responses=inline_serializer(
            "CategoryBrand", {"id": serializers.IntegerField(), "name": serializers.CharField()}, many=True
        )
    )
    def get(self, request, category_id):
        return super().get(request, category_id=category_id)

    @replica_reads()
    def answer(self, request, category_id):
        return services.category_brands(category_id)


class CategoryView(PublicCachedJSONView):
    """G2: the breadcrumb of a category."""

    error_shape = detail_body

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, category_id):
        return super().get(request, category_id=category_id)

    @replica_reads()
    def answer(self, request, category_id):
        return services.category_breadcrumb(category_id)
