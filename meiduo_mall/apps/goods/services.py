"""Catalog reads behind the list page: SKU pages, hot SKUs and the breadcrumb.

List pages, per-category counts and hot lists are cached in Redis under a catalog version
that every catalog change bumps (signals.py), so a change never needs to find and delete
the keys it makes stale: they are simply never read again and expire.
"""

import functools
import math
import time

from django.conf import settings
from django.core.cache import cache
from django_redis import get_redis_connection

from .exceptions import CategoryNotFound, PageOutOfRange
from .models import SKU, GoodsCategory, GoodsChannel
from .serializers import SKU_LIST_FIELDS, SKUSerializer

CATALOG_VERSION_KEY = "catalog_version"
CATALOG_CACHE_TIMEOUT = 3600

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
    version = cache.get(CATALOG_VERSION_KEY)
    if version is None:
        # A clock-based start never reuses a number whose pages may still sit in the cache.
        cache.add(CATALOG_VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(CATALOG_VERSION_KEY)
    return version


# A cached list page costs two Redis round trips if the version and the page are read one after the
# other; this script reads both in one, which is most of what a cached page costs.
READ_VERSIONED_ENTRY = """
local version = redis.call('GET', KEYS[1])
if not version then return {} end
return {version, redis.call('GET', ARGV[1] .. version .. ARGV[2])}
"""


@functools.cache
def versioned_entry_reader():
    return get_redis_connection("default").register_script(READ_VERSIONED_ENTRY)


def read_versioned(kind, rest):
    """(catalog version, the cached entry `<kind>:<version>:<rest>` or None)."""
    reply = versioned_entry_reader()(
        keys=[cache.make_key(CATALOG_VERSION_KEY)],
        args=[cache.make_key(f"{kind}:"), f":{rest}"],
        client=get_redis_connection("default"),
    )
    if not reply:
        return catalog_version(), None
    entry = reply[1]
    return int(reply[0]), None if entry is None else cache.client.decode(entry)


def bump_catalog_version():
    try:
        cache.incr(CATALOG_VERSION_KEY)
    except ValueError:
        cache.add(CATALOG_VERSION_KEY, time.time_ns(), timeout=None)


def launched_skus(category_id):
    return SKU.objects.filter(category_id=category_id, is_launched=True)


def ensure_category(category_id):
    if not GoodsCategory.objects.filter(id=category_id).exists():
        raise CategoryNotFound(category_id)


def category_sku_count(category_id, version):
    key = f"sku_count:{version}:{category_id}"
    count = cache.get(key)
    if count is None:
        ensure_category(category_id)
        count = launched_skus(category_id).count()
        cache.set(key, count, CATALOG_CACHE_TIMEOUT)
    return count


def skus_in_order(ids):
    """The launched SKUs of `ids` in that order, with one query."""
    rows = SKU.objects.filter(is_launched=True).only(*SKU_LIST_FIELDS).in_bulk(ids)
    return [rows[sku_id] for sku_id in ids if sku_id in rows]


def sku_list_page(category_id, ordering, page, page_size):
    """{"count", "results"} of one page of a category's launched SKUs.

    The page's ids come from the (category, is_launched, sort key, id) index alone, and only
    those rows are read, so a deep page costs about what the first one does.
    """
    if ordering not in LIST_ORDERINGS:
        ordering = DEFAULT_ORDERING
    rest = f"{category_id}:{ordering}:{page}:{page_size}"
    version, data = read_versioned("skus", rest)
    if data is not None:
        return data
    count = category_sku_count(category_id, version)
    if page > max(1, math.ceil(count / page_size)):
        raise PageOutOfRange(page)
    offset = (page - 1) * page_size
    ids = list(
        launched_skus(category_id)
        .order_by(*LIST_ORDERINGS[ordering])
        .values_list("id", flat=True)[offset : offset + page_size]
    )
    data = {"count": count, "results": SKUSerializer(skus_in_order(ids), many=True).data}
    cache.set(f"skus:{version}:{rest}", data, CATALOG_CACHE_TIMEOUT)
    return data


def hot_skus(category_id):
    """The best sellers of a category (HOT_SKUS_COUNT_LIMIT of them)."""
    version, data = read_versioned("hot_skus", category_id)
    if data is None:
        ensure_category(category_id)
        skus = launched_skus(category_id).only(*SKU_LIST_FIELDS).order_by("-sales", "-id")
        data = SKUSerializer(skus[: settings.HOT_SKUS_COUNT_LIMIT], many=True).data
        cache.set(f"hot_skus:{version}:{category_id}", data, CATALOG_CACHE_TIMEOUT)
    return data


def category_breadcrumb(category_id):
    """API.md G2: the levels above and at this category; levels that don't apply are ""."""
    category = GoodsCategory.objects.select_related("parent__parent").filter(id=category_id).first()
    if category is None:
        raise CategoryNotFound(category_id)
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
