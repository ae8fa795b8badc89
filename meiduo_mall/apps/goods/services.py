"""Catalog reads behind the list page: SKU pages (filtered by brand and price), hot SKUs, brands and the breadcrumb.

All three are kept as ready-made JSON bytes under a catalog version that every catalog change bumps
(signals.py), with meiduo_mall.utils.ready_json: a change never needs to find and delete the entries it makes
stale, they are simply never served again and expire. A cached answer is one Redis MGET, or nothing at all
while the worker's own copy is fresh; when Redis fails, the answer is computed from the database.
"""

import json
import math
from typing import NamedTuple

from django.conf import settings
from django.db.models import Q
from rest_framework.renderers import JSONRenderer

from meiduo_mall.utils.ready_json import VersionedJSONCache

from .exceptions import CategoryNotFound, PageOutOfRange
from .models import SKU, Brand, Goods, GoodsCategory, GoodsChannel
from .serializers import SKU_LIST_FIELDS, SKUSerializer

CATALOG_VERSION_KEY = "catalog_version"
catalog_cache = VersionedJSONCache(CATALOG_VERSION_KEY)

DEFAULT_ORDERING = "-create_time"
# Each ordering ends on the id, so pages are stable, and walks one of SKU's list indexes.
LIST_ORDERINGS = {
    "-create_time": ("-create_time", "-id"),
    "create_time": ("create_time", "id"),
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
    "sales": ("sales", "id"),
    "-sales": ("-sales", "-id"),
}


def catalog_version():
    return catalog_cache.version()


def bump_catalog_version():
    catalog_cache.bump()


def render_json(data):
    """`data` as the bytes DRF's JSON renderer answers (compact, UTF-8), built once per cached entry."""
    return JSONRenderer().render(data)


def render_skus(skus):
    """The five list fields of `skus` as the JSON the API answers."""
    return render_json(SKUSerializer(skus, many=True).data)


class ListFilter(NamedTuple):
    """The list's optional filters: a brand id and a price range (Decimals, either end open)."""

    brand: int | None = None
    price_min: object = None
    price_max: object = None

    @property
    def key(self):
        """The filter's part of a cache entry's name ("" unfiltered, so those names stay as they were)."""
        if self == NO_FILTER:
            return ""
        brand, low, high = ("" if value is None else value for value in self)
        return f":b{brand}:p{low}-{high}"


NO_FILTER = ListFilter()


def launched_skus(category_id, filters=NO_FILTER):
    rows = SKU.objects.filter(category_id=category_id, is_launched=True)
    if filters.brand is not None:
        # The SPUs of the brand in the category come from tb_goods' (category3, brand) index alone.
        spus = Goods.objects.filter(category3_id=category_id, brand_id=filters.brand).values("id")
        rows = rows.filter(goods_id__in=spus)
    if filters.price_min is not None:
        rows = rows.filter(price__gte=filters.price_min)
    if filters.price_max is not None:
        rows = rows.filter(price__lte=filters.price_max)
    return rows


def ensure_category(category_id):
    if not GoodsCategory.objects.filter(id=category_id).exists():
        raise CategoryNotFound


def category_sku_count(category_id, filters=NO_FILTER):
    """Launched SKUs of the category (passing the filters), counted once per catalog version."""
    name = f"sku_count:{category_id}{filters.key}"
    version, entry = catalog_cache.read(name)
    if entry is not None:
        return int(entry)
    ensure_category(category_id)
    count = launched_skus(category_id, filters).count()
    catalog_cache.write(name, version, b"%d" % count)
    return count


def skus_in_order(ids):
    """The launched SKUs of `ids` in that order, with one query."""
    rows = SKU.objects.filter(is_launched=True).only(*SKU_LIST_FIELDS).in_bulk(ids)
    return [rows[sku_id] for sku_id in ids if sku_id in rows]


def sku_list_page(category_id, ordering, page, page_size, filters=NO_FILTER):
    """(count, the JSON array of the page's SKUs) of one page of a category's launched SKUs passing `filters`.

    The page's ids come from the (category, is_launched, sort key, id) index alone, and only
    those rows are read; a deep page starts from the nearest mark (below), so it scans no more of
    the index than a page among the first LIST_MARK_STRIDE rows does.
    """
    if ordering not in LIST_ORDERINGS:
        ordering = DEFAULT_ORDERING
    name = f"skus:{category_id}:{ordering}:{page}:{page_size}{filters.key}"
    version, entry = catalog_cache.read(name)
    if entry is not None:
        count, _, results = entry.partition(b" ")
        return int(count), results
    count = category_sku_count(category_id, filters)
    if page > max(1, math.ceil(count / page_size)):
        raise PageOutOfRange
    offset = (page - 1) * page_size
    rows, offset = rows_from_nearest_mark(category_id, ordering, offset, filters)
    ids = list(rows.values_list("id", flat=True)[offset : offset + page_size])
    results = render_skus(skus_in_order(ids))
    catalog_cache.write(name, version, b"%d %s" % (count, results))
    return count, results


def rows_from_nearest_mark(category_id, ordering, offset, filters=NO_FILTER):
    """(the category's launched SKUs in `ordering` from the nearest mark at or before `offset`, the offset
    left from there).

    InnoDB finds the n-th entry of an index only by walking n entries, so a plain OFFSET costs in
    proportion to the page number. Marks are the sort key and id of every LIST_MARK_STRIDE-th row, kept
    under the catalog version: from a mark, the page is a seek and less than a stride of walking. Marks
    not known yet are found by walking on from the last known one, so each stride of the index is walked
    once per catalog version and ordering, however many deep pages are asked for.
    """
    stride = settings.LIST_MARK_STRIDE
    wanted = offset // stride
    rows = launched_skus(category_id, filters).order_by(*LIST_ORDERINGS[ordering])
    if not wanted:
        return rows, offset
    name = f"list_marks:{category_id}:{ordering}{filters.key}"
    version, entry = catalog_cache.read(name)
    marks = json.loads(entry) if entry is not None else []
    if len(marks) < wanted:
        # One index-only walk from the last known mark to the wanted one, then the marks' sort keys.
        start = rows_after(rows, ordering, marks[-1]) if marks else rows
        walked = start.values_list("id", flat=True)[: (wanted - len(marks)) * stride]
        new_ids = list(walked)[stride - 1 :: stride]
        field = LIST_ORDERINGS[ordering][0].lstrip("-")
        keys = dict(SKU.objects.filter(id__in=new_ids).values_list("id", field))
        marks += [(keys[sku_id], sku_id) for sku_id in new_ids]
        catalog_cache.write(name, version, json.dumps(marks, default=mark_json).encode())
    used = min(len(marks), wanted)
    if not used:
        return rows, offset
    return rows_after(rows, ordering, marks[used - 1]), offset - used * stride


def mark_json(value):
    """A sort key as JSON, exactly: Decimal as its digits, datetimes to the microsecond."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def rows_after(rows, ordering, mark):
    """`rows` past the row whose (sort key, id) is `mark`, in `ordering`: a range the index seeks to."""
    first, _ = LIST_ORDERINGS[ordering]
    field = first.lstrip("-")
    value = SKU._meta.get_field(field).to_python(mark[0])
    beyond = "lt" if first.startswith("-") else "gt"
    return rows.filter(Q(**{f"{field}__{beyond}": value}) | Q(**{field: value, f"id__{beyond}": mark[1]}))


def hot_skus(category_id):
    """The best sellers of a category (HOT_SKUS_COUNT_LIMIT of them), as a JSON array."""
    name = f"hot_skus:{category_id}"
    version, results = catalog_cache.read(name)
    if results is None:
        ensure_category(category_id)
        skus = launched_skus(category_id).only(*SKU_LIST_FIELDS).order_by("-sales", "-id")
        results = render_skus(skus[: settings.HOT_SKUS_COUNT_LIMIT])
        catalog_cache.write(name, version, results)
    return results


def category_brands(category_id):
    """The brands of the category's launched SKUs as a JSON array of {"id", "name"}, by initial and name."""
    name = f"brands:{category_id}"
    version, body = catalog_cache.read(name)
    if body is None:
        ensure_category(category_id)
        spus = launched_skus(category_id).values("goods_id")
        brands = Brand.objects.filter(goods__category3_id=category_id, goods__id__in=spus).distinct()
        body = render_json(list(brands.order_by("first_letter", "name", "id").values("id", "name")))
        catalog_cache.write(name, version, body)
    return body


def category_breadcrumb(category_id):
    """docs/api.md G2 as JSON bytes: the levels above and at this category; levels that don't apply are ""."""
    name = f"breadcrumb:{category_id}"
    version, body = catalog_cache.read(name)
    if body is None:
        body = render_json(breadcrumb_of(category_id))
        catalog_cache.write(name, version, body)
    return body


def breadcrumb_of(category_id):
    category = GoodsCategory.objects.select_related("parent__parent").filter(id=category_id).first()
    if category is None:
        raise CategoryNotFound
    chain = [category]
    while chain[0].parent_id is not None and len(chain) < 3:
        chain.insert(0, chain[0].parent)
    chain += [None] * (3 - len(chain))
    cat1, cat2, cat3 = chain
    channel = GoodsChannel.objects.filter(category=cat1).order_by("sequence", "id").first()
    return {
        "cat1": {"url": channel.url if channel else "", "category": {"id": cat1.id, "name": cat1.name}},
        "cat2": {"id": cat2.id, "name": cat2.name} if cat2 else "",
        "cat3": {"id": cat3.id, "name": cat3.name} if cat3 else "",
    }
