"""One cart interface, two stores: a signed cookie for guests, Redis for members.

The shape of Django's session backends: `CartStore` is the interface, each store is a thin
class, and services.cart_store() picks one per request, so views never learn which they got.
A cart maps sku_id → {"count": int, "selected": bool}.
"""

import zlib
from abc import ABC, abstractmethod

from django.core import signing
from django_redis import get_redis_connection

from .exceptions import CartFull, LineLimitExceeded

CART_COOKIE_NAME = "cart"
CART_COOKIE_MAX_AGE = 365 * 24 * 3600
CART_COOKIE_SALT = "meiduo_mall.carts.cookie"
# Browsers keep at most 4 KB per cookie, so a longer value was not written by us.
CART_COOKIE_MAX_LENGTH = 4096
MAX_CART_LINES = 100
MAX_LINE_COUNT = 200
MAX_SKU_ID = 2**63 - 1


class CartStore(ABC):
    @abstractmethod
    def items(self):
        """{sku_id: {"count", "selected"}} of every line, in the order they were first added."""

    @abstractmethod
    def add(self, sku_id, count, selected, max_count):
        """Add `count` to the line (selecting it if `selected`) and return the line's new count.

        Raises LineLimitExceeded when the line would pass `max_count`, CartFull when a new line
        would pass MAX_CART_LINES; the cart is then left as it was.
        """

    @abstractmethod
    def set(self, sku_id, count, selected):
        """Overwrite the line's count and selection (creating it if needed)."""

    @abstractmethod
    def remove(self, sku_id):
        """Drop the line, if there is one."""

    @abstractmethod
    def select_all(self, selected):
        """Select or unselect every line."""

    def save(self, response):  # noqa: B027 - a no-op for stores that do not live in the response
        """Write what changed into the response; only a store that lives in the response needs to."""


class CookieCartStore(CartStore):
    """The guest's cart in cookie `cart`: signed JSON (never pickle) that only this server can write.

    A cookie that fails the signature, has expired, is too long or holds anything but a valid cart
    reads as an empty cart, and the response replaces it.
    """

    def __init__(self, request):
        raw = request.COOKIES.get(CART_COOKIE_NAME)
        self._lines = load_cookie_cart(raw)
        self.modified = raw is not None and not self._lines

    def items(self):
        return {sku_id: dict(line) for sku_id, line in self._lines.items()}

    def add(self, sku_id, count, selected, max_count):
        line = self._lines.get(sku_id)
        if line is None and len(self._lines) >= MAX_CART_LINES:
            raise CartFull()
        new_count = count + (line["count"] if line else 0)
        if new_count > max_count:
            raise LineLimitExceeded()
        self._lines[sku_id] = {"count": new_count, "selected": selected or bool(line and line["selected"])}
        self.modified = True
        return new_count

    def set(self, sku_id, count, selected):
        if sku_id not in self._lines and len(self._lines) >= MAX_CART_LINES:
            raise CartFull()
        self._lines[sku_id] = {"count": count, "selected": selected}
        self.modified = True

    def remove(self, sku_id):
        if self._lines.pop(sku_id, None) is not None:
            self.modified = True

    def select_all(self, selected):
        for line in self._lines.values():
            line["selected"] = selected
        self.modified = self.modified or bool(self._lines)

    def save(self, response):
        if not self.modified:
            return
        if self._lines:
            value = signing.dumps(
                {str(sku_id): line for sku_id, line in self._lines.items()}, salt=CART_COOKIE_SALT, compress=True
            )
            response.set_cookie(CART_COOKIE_NAME, value, max_age=CART_COOKIE_MAX_AGE, httponly=True, samesite="Lax")
        else:
            response.delete_cookie(CART_COOKIE_NAME, samesite="Lax")


def load_cookie_cart(raw):
    """The lines of a `cart` cookie value, or {} for anything that is not a cart we signed."""
    if not raw or len(raw) > CART_COOKIE_MAX_LENGTH:
        return {}
    try:
        data = signing.loads(raw, salt=CART_COOKIE_SALT, max_age=CART_COOKIE_MAX_AGE)
    except (signing.BadSignature, ValueError, zlib.error):
        return {}
    if not isinstance(data, dict) or len(data) > MAX_CART_LINES:
        return {}
    lines = {}
    for key, line in data.items():
        if not (key.isascii() and key.isdigit() and 1 <= int(key) <= MAX_SKU_ID) or not isinstance(line, dict):
            return {}
        count, selected = line.get("count"), line.get("selected")
        if type(count) is not int or not 1 <= count <= MAX_LINE_COUNT or type(selected) is not bool:
            return {}
        lines[int(key)] = {"count": count, "selected": selected}
    return lines


# Fills the selected set from the hash's fields on the server: a pipeline cannot feed the
# result of HKEYS into SADD, and two round trips would let an add slip in between.
SELECT_ALL_SCRIPT = """
local ids = redis.call('HKEYS', KEYS[1])
if #ids > 0 then redis.call('SADD', KEYS[2], unpack(ids)) end
return #ids
"""


class RedisCartStore(CartStore):
    """The member's cart: hash cart_<uid> {sku_id: count} + set cart_selected_<uid> {sku_id}.

    Every operation is one round trip (a MULTI/EXEC pipeline). Limits are checked on the result
    the pipeline returns, and the rare refused change is undone, so the usual add costs one trip.
    """

    def __init__(self, user_id):
        self.client = get_redis_connection("cart")
        self.cart_key = f"cart_{user_id}"
        self.selected_key = f"cart_selected_{user_id}"

    def items(self):
        pipeline = self.client.pipeline()
        pipeline.hgetall(self.cart_key)
        pipeline.smembers(self.selected_key)
        counts, selected = pipeline.execute()
        return {int(sku_id): {"count": int(count), "selected": sku_id in selected} for sku_id, count in counts.items()}

    def add(self, sku_id, count, selected, max_count):
        pipeline = self.client.pipeline()
        pipeline.hincrby(self.cart_key, sku_id, count)
        pipeline.hlen(self.cart_key)
        if selected:
            pipeline.sadd(self.selected_key, sku_id)
        new_count, lines, *newly_selected = pipeline.execute()
        is_new_line = new_count == count
        if new_count <= max_count and not (is_new_line and lines > MAX_CART_LINES):
            return new_count
        undo = self.client.pipeline()
        if is_new_line:
            undo.hdel(self.cart_key, sku_id)
        else:
            undo.hincrby(self.cart_key, sku_id, -count)
        if newly_selected == [1]:
            undo.srem(self.selected_key, sku_id)
        undo.execute()
        raise LineLimitExceeded() if new_count > max_count else CartFull()

    def set(self, sku_id, count, selected):
        pipeline = self.client.pipeline()
        pipeline.hset(self.cart_key, sku_id, count)
        pipeline.hlen(self.cart_key)
        if selected:
            pipeline.sadd(self.selected_key, sku_id)
        else:
            pipeline.srem(self.selected_key, sku_id)
        created, lines, _ = pipeline.execute()
        if created and lines > MAX_CART_LINES:
            undo = self.client.pipeline()
            undo.hdel(self.cart_key, sku_id)
            undo.srem(self.selected_key, sku_id)
            undo.execute()
            raise CartFull()

    def remove(self, sku_id):
        pipeline = self.client.pipeline()
        pipeline.hdel(self.cart_key, sku_id)
        pipeline.srem(self.selected_key, sku_id)
        pipeline.execute()

    def select_all(self, selected):
        if selected:
            self.client.eval(SELECT_ALL_SCRIPT, 2, self.cart_key, self.selected_key)
        else:
            self.client.delete(self.selected_key)

    def overwrite(self, lines):
        """Write `lines` over the cart in one pipeline: their counts and selection win, other lines stay."""
        pipeline = self.client.pipeline()
        pipeline.hset(self.cart_key, mapping={sku_id: line["count"] for sku_id, line in lines.items()})
        selected = [sku_id for sku_id, line in lines.items() if line["selected"]]
        unselected = [sku_id for sku_id, line in lines.items() if not line["selected"]]
        if selected:
            pipeline.sadd(self.selected_key, *selected)
        if unselected:
            pipeline.srem(self.selected_key, *unselected)
        pipeline.execute()
