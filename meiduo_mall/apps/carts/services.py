"""Cart rules: the store of a request, the stock check of an add, and the guest cart merge at login."""

from django.core.cache import cache
from rest_framework.exceptions import AuthenticationFailed

from meiduo_mall.apps.goods.models import SKU

from .exceptions import LineLimitExceeded
from .stores import CART_COOKIE_NAME, MAX_LINE_COUNT, CookieCartStore, RedisCartStore

# Saving a SKU drops its entry (signals.py), but stock taken by placed orders (a conditional
# UPDATE, no signal) shows here only after this long. Placing an order checks stock again.
CART_SKU_CACHE_SECONDS = 30
CART_SKU_FIELDS = ("id", "stock", "is_launched")


def cart_sku_cache_key(sku_id):
    return f"cart_sku_{sku_id}"


def cart_sku(sku_id):
    """{"id", "stock", "is_launched"} of a SKU, or None: adding to the cart is the shop's most
    frequent write, and this keeps it at one cache read instead of a query."""
    key = cart_sku_cache_key(sku_id)
    sku = cache.get(key)
    if sku is None:
        sku = SKU.objects.filter(pk=sku_id).values(*CART_SKU_FIELDS).first()
        if sku is not None:
            cache.set(key, sku, CART_SKU_CACHE_SECONDS)
    return sku


def cart_user(request):
    """The member behind the request, or None: the cart pages send `JWT undefined`, expired or
    malformed tokens when nobody is logged in, and those shoppers are guests, not errors."""
    try:
        user = request.user
    except AuthenticationFailed:
        return None
    return user if user.is_authenticated else None


def cart_store(request):
    user = cart_user(request)
    return RedisCartStore(user.id) if user else CookieCartStore(request)


def add_to_cart(store, sku, count, selected):
    """Add to the line and return its new count; the line may hold at most the stock and MAX_LINE_COUNT."""
    try:
        return store.add(sku["id"], count, selected, max_count=min(sku["stock"], MAX_LINE_COUNT))
    except LineLimitExceeded:
        if sku["stock"] > MAX_LINE_COUNT:
            raise LineLimitExceeded(f"每种商品最多购买{MAX_LINE_COUNT}件") from None
        raise


def cart_lines(store):
    """The cart as the pages show it: each line's SKU with `count` and `selected`, in cart order.

    Lines whose SKU no longer exists are left out.
    """
    lines = store.items()
    skus = SKU.objects.only("id", "name", "price", "default_image_url").in_bulk(list(lines))
    shown = []
    for sku_id, line in lines.items():
        sku = skus.get(sku_id)
        if sku is not None:
            sku.count, sku.selected = line["count"], line["selected"]
            shown.append(sku)
    return shown


def merge_guest_cart(request, user, response):
    """At login, move the guest's cookie cart into the member's Redis cart and drop the cookie.

    The cookie's counts overwrite those in Redis instead of adding to them: the cookie is what the
    shopper picked just now on this browser, and adding would double goods they put in the cart on
    an earlier visit. The cookie's selection wins the same way. Lines only in Redis stay as they are.
    The merged cart may hold more than MAX_CART_LINES lines; adding new lines is then refused until
    the shopper removes some.
    """
    lines = CookieCartStore(request).items()
    if lines:
        RedisCartStore(user.id).overwrite(lines)
    if CART_COOKIE_NAME in request.COOKIES:
        response.delete_cookie(CART_COOKIE_NAME, samesite="Lax")
