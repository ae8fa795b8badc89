import json
from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers

from meiduo_mall.utils.db_router import replica_reads
from meiduo_mall.utils.exceptions import detail_body
from meiduo_mall.utils.pagination import StandardResultsSetPagination
from meiduo_mall.utils.ready_json import PublicCachedJSONView

from . import services
from .exceptions import PageOutOfRange
from .serializers import SKUSerializer


def positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


class CategorySKUListView(PublicCachedJSONView):
    """G1: one page of a level-3 category's launched SKUs."""

    pagination = StandardResultsSetPagination
    error_shape = detail_body

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
        return super().get(request, category_id=category_id)

    @replica_reads()
    def answer(self, request, category_id):
        page, page_size, ordering = self.page_query(request)
        count, results = services.sku_list_page(category_id, ordering, page, page_size)
        next_page = page + 1 if page * page_size < count else None
        return b'{"count":%d,"next":%s,"previous":%s,"results":%s}' % (
            count,
            *page_links(request, next_page, page - 1),
            results,
        )

    def page_query(self, request):
        """(page, page_size, ordering) of the request, read once per query string: building Django's
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
            parsed = page_queries[raw] = (page, page_size, query.get("ordering", services.DEFAULT_ORDERING))
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


class CategoryView(PublicCachedJSONView):
    """G2: the breadcrumb of a category."""

    error_shape = detail_body

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, category_id):
        return super().get(request, category_id=category_id)

    @replica_reads()
    def answer(self, request, category_id):
        return services.category_breadcrumb(category_id)
