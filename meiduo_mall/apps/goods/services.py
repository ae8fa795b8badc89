"""Catalog reads behind the list page: SKU pages, hot SKUs and the breadcrumb.

List pages, per-category counts and hot lists are cached in Redis under a catalog version
that every catalog change bumps (signals.py), so a change never needs to find and delete
the entries it makes stale: they are simply never served again and expire. Counts carry the
version in their key; pages and hot lists carry it in their value (read_versioned).
"""

import functools
import math
import time

from django.conf import settings
from django.core.cache import cache
from django_redis import get_redis_connection
from rest_framework.renderers import JSONRenderer

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


@functools.cache
def catalog_redis():
    """The default cache's Redis client, looked up once: a cached page is one MGET and nothing else."""
    return get_redis_connection("default")


@functools.cache
def raw_key(key):
    """`key` as the default cache names it, computed once per name."""
    return cache.make_key(key)


def read_versioned(kind, rest):
    """(catalog version, the bytes cached under `<kind>:<rest>` for that version, or None).

    An entry starts with the version it was built under and is read in the same MGET as the
    current version, so one round trip answers a hit, and an entry built before a catalog
    change is never served after it.
    """
    version, entry = catalog_redis().mget(raw_key(CATALOG_VERSION_KEY), raw_key(f"{kind}:") + rest)
    if version is None:
        return catalog_version(), None
    built_under, _, payload = (entry or b"").partition(b" ")
    return int(version), payload if built_under == version else None


def write_versioned(kind, rest, version, payload):
    catalog_redis().set(raw_key(f"{kind}:") + rest, b"%d %s" % (version, payload), ex=CATALOG_CACHE_TIMEOUT)


def render_skus(skus):
    """The five list fields of `skus` as the JSON the API answers, built once per cached entry."""
    return JSONRenderer().render(SKUSerializer(skus, many=True).data)


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
    """(count, the JSON array of the page's SKUs) of one page of a category's launched SKUs.

    The page's ids come from the (category, is_launched, sort key, id) index alone, and only
    those rows are read, so a deep page costs about what the first one does.
    """
    if ordering not in LIST_ORDERINGS:
        ordering = DEFAULT_ORDERING
    rest = f"{category_id}:{ordering}:{page}:{page_size}"
    version, entry = read_versioned("skus", rest)
    if entry is not None:
        count, _, results = entry.partition(b" ")
        return int(count), results
    count = category_sku_count(category_id, version)
    if page > max(1, math.ceil(count / page_size)):
        raise PageOutOfRange(page)
    offset = (page - 1) * page_size
    ids = list(
        launched_skus(category_id)
        .order_by(*LIST_ORDERINGS[ordering])
        .values_list("id", flat=True)[offset : offset + page_size]
    )
    results = render_skus(skus_in_order(ids))
    write_versioned("skus", rest, version, b"%d %s" % (count, results))
    return count, results


def hot_skus(category_id):
    """The best sellers of a category (HOT_SKUS_COUNT_LIMIT of them), as a JSON array."""
    version, results = read_versioned("hot_skus", str(category_id))
    if results is None:
        ensure_category(category_id)
        skus = launched_skus(category_id).only(*SKU_LIST_FIELDS).order_by("-sales", "-id")
        results = render_skus(skus[: settings.HOT_SKUS_COUNT_LIMIT])
        write_versioned("hot_skus", str(category_id), version, results)
    return results


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
