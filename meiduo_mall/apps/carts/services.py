"""Cart rules: the store of a request or a member, the SKU an add or change checks, and the guest cart merge
at login. Other apps reach the cart through these functions, never through a store class."""

from redis.exceptions import RedisError
from rest_framework.exceptions import AuthenticationFailed

from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.utils.redis_breaker import log_worked_around

from .stores import CookieCartStore, RedisCartStore


def load_cart_sku(sku_id):
    """(stock, is_launched) of an SKU from the database; (0, False) when there is no such SKU, which the
    stores cache like any other answer, so unknown ids cost no query either."""
    row = SKU.objects.filter(pk=sku_id).values_list("stock", "is_launched").first()
    return row or (0, False)


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
    return cart_store_for(user) if user else guest_cart_store(request)


def cart_store_for(user):
    """The member's own cart, wherever a request is not at hand (orders, the login merge)."""
    return RedisCartStore(user.id)


def guest_cart_store(request):
    """The cart a browser carries as a guest, whoever the request is logged in as."""
    return CookieCartStore(request)


def add_to_cart(store, line):
    """Add `line` (a CartLine) to the line of a launched SKU and return its new count; the line may hold at
    most the stock and MAX_LINE_COUNT. Adding to the cart is the shop's most frequent write: a member's costs
    one Redis round trip."""
    return store.add(line, load_cart_sku)


def change_line(store, line):
    """Overwrite the line of a launched SKU, its count within the stock."""
    store.set(line, load_cart_sku)


CART_LINE_SKU_FIELDS = ("id", "name", "price", "default_image_url")


def cart_lines(store):
    """The cart as the pages show it (serializers.CartSKUSerializer): each line's SKU with `count` and
    `selected`, in cart order. Lines whose SKU no longer exists are left out.

    Built as plain rows from one query: the cart page is read on every visit, and a model serializer's
    field machinery for each line cost more than the rest of the request.
    """
    lines = store.lines()
    if not lines:
        return []
    skus = {
        row[0]: row
        for row in SKU.objects.filter(pk__in=[line.sku_id for line in lines]).values_list(*CART_LINE_SKU_FIELDS)
    }
    shown = []
    for line in lines:
        sku = skus.get(line.sku_id)
        if sku is not None:
            _, name, price, image_url = sku
            shown.append(
                {
                    "id": line.sku_id,
                    "name": name,
                    "price": f"{price:.2f}",
                    "default_image_url": image_url,
                    "count": line.count,
                    "selected": line.selected,
                }
            )
    return shown


def merge_guest_cart(guest_store, user):
    """At login, move the guest's cart into the member's cart (users.services.log_in() then empties the
    guest's, and the login's response drops the cookie).

    The guest's counts overwrite the member's instead of adding to them: the guest cart is what the
    shopper picked just now on this browser, and adding would double goods they put in the cart on
    an earlier visit. The guest's selection wins the same way. Lines only in the member's cart stay
    as they are. The merged cart may hold more than MAX_CART_LINES lines; adding new lines is then
    refused until the shopper removes some.

    Returns whether the guest's cart may be emptied: not when Redis failed, so that the login still succeeds
    and the lines wait in the cookie for the next login.
    """
    try:
        cart_store_for(user).replace(guest_store.lines())
    except RedisError as exc:
        log_worked_around("guest cart kept in its cookie, Redis failed at login: %s", exc)
        return False
    return True
