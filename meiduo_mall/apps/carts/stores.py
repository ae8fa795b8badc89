"""One cart interface, two stores: a signed cookie for guests, Redis for members.

The shape of Django's session backends: `CartStore` is the interface, each store is a thin
class, and services.cart_store() picks one per request (services.cart_store_for() one per member),
so views and orders never learn which they got. Every store reads and writes `CartLine`s.
"""

import zlib
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django_redis import get_redis_connection
from redis.exceptions import RedisError

from meiduo_mall.utils.redis_breaker import log_worked_around

from .exceptions import CartFull, LineLimitExceeded, SKUUnavailable

CART_COOKIE_NAME = "cart"
CART_COOKIE_MAX_AGE = 365 * 24 * 3600
CART_COOKIE_SALT = "meiduo_mall.carts.cookie"
# Browsers keep at most 4 KB per cookie, so a longer value was not written by us.
CART_COOKIE_MAX_LENGTH = 4096
MAX_CART_LINES = 100
MAX_LINE_COUNT = 200
MAX_SKU_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class CartLine:
    sku_id: int
    count: int
    selected: bool = True


class CartStore(ABC):
    @abstractmethod
    def lines(self):
        """Every line, in the order the lines were first added."""

    def selected_lines(self):
        """The lines the shopper ticked, in cart order; what an order is placed from."""
        return [line for line in self.lines() if line.selected]

    @abstractmethod
    def add(self, line, load_sku):
        """Add `line.count` pieces of a launched SKU to its line (selecting it if `line.selected`) and return the
        new count.

        The SKU's facts come from SKU_FACTS, else from `load_sku(sku_id)`. Raises SKUUnavailable for an SKU
        that is not for sale, LineLimitExceeded when the line would pass its stock or MAX_LINE_COUNT, CartFull
        when a new line would pass MAX_CART_LINES; the cart is then left as it was.
        """

    @abstractmethod
    def set(self, line, load_sku):
        """Write `line` over the SKU's line (creating it if needed); the same checks as add()."""

    def remove(self, sku_id):
        """Drop the line, if there is one."""
        self.remove_many([sku_id])

    @abstractmethod
    def remove_many(self, sku_ids):
        """Drop the lines of `sku_ids` that are in the cart, all at once."""

    def clear(self):
        """Drop every line."""
        self.remove_many([line.sku_id for line in self.lines()])

    @abstractmethod
    def select_all(self, selected):
        """Select or unselect every line."""

    @abstractmethod
    def replace(self, lines):
        """Write `lines` over the cart as they are, unchecked: their counts and selection win, other lines stay."""

    def save(self, response):  # noqa: B027 - a no-op for stores that do not live in the response
        """Write what changed into the response; only a store that lives in the response needs to."""


class CookieCartStore(CartStore):
    """The guest's cart in cookie `cart`: signed JSON (never pickle) that only this server can write.

    A cookie that fails the signature, has expired, is too long or holds anything but a valid cart
    reads as an empty cart, and the response replaces it.
    """

    def __init__(self, request):
        raw = request.COOKIES.get(CART_COOKIE_NAME)
        self._lines = {line.sku_id: line for line in load_cookie_cart(raw)}
        self.modified = raw is not None and not self._lines

    def lines(self):
        return list(self._lines.values())

    def _write(self, line):
        self._lines[line.sku_id] = line
        self.modified = True

    def add(self, line, load_sku):
        stock = SKU_FACTS.stock_for_sale(line.sku_id, load_sku)
        current = self._lines.get(line.sku_id)
        new_count = line.count + (current.count if current else 0)
        if line.count > stock or new_count > min(stock, MAX_LINE_COUNT):
            raise line_limit_exceeded(stock)
        if current is None and len(self._lines) >= MAX_CART_LINES:
            raise CartFull()
        self._write(CartLine(line.sku_id, new_count, line.selected or bool(current and current.selected)))
        return new_count

    def set(self, line, load_sku):
        if line.count > SKU_FACTS.stock_for_sale(line.sku_id, load_sku):
            raise LineLimitExceeded()
        if line.sku_id not in self._lines and len(self._lines) >= MAX_CART_LINES:
            raise CartFull()
        self._write(line)

    def remove_many(self, sku_ids):
        for sku_id in sku_ids:
            if self._lines.pop(sku_id, None) is not None:
                self.modified = True

    def select_all(self, selected):
        self._lines = {sku_id: CartLine(sku_id, line.count, selected) for sku_id, line in self._lines.items()}
        self.modified = self.modified or bool(self._lines)

    def replace(self, lines):
        for line in lines:
            self._write(line)

    def save(self, response):
        if not self.modified:
            return
        if self._lines:
            value = signing.dumps(
                {str(line.sku_id): {"count": line.count, "selected": line.selected} for line in self._lines.values()},
                salt=CART_COOKIE_SALT,
                compress=True,
            )
            response.set_cookie(
                CART_COOKIE_NAME,
                value,
                max_age=CART_COOKIE_MAX_AGE,
                httponly=True,
                secure=settings.CART_COOKIE_SECURE,
                samesite="Lax",
            )
        else:
            response.delete_cookie(CART_COOKIE_NAME, samesite="Lax")


def load_cookie_cart(raw):
    """The lines of a `cart` cookie value, or [] for anything that is not a cart we signed."""
    if not raw or len(raw) > CART_COOKIE_MAX_LENGTH:
        return []
    try:
        data = signing.loads(raw, salt=CART_COOKIE_SALT, max_age=CART_COOKIE_MAX_AGE)
    except (signing.BadSignature, ValueError, zlib.error):
        return []
    if not isinstance(data, dict) or len(data) > MAX_CART_LINES:
        return []
    lines = []
    for key, line in data.items():
        if not (key.isascii() and key.isdigit() and 1 <= int(key) <= MAX_SKU_ID) or not isinstance(line, dict):
            return []
        count, selected = line.get("count"), line.get("selected")
        if type(count) is not int or not 1 <= count <= MAX_LINE_COUNT or type(selected) is not bool:
            return []
        lines.append(CartLine(int(key), count, selected))
    return lines


def line_limit_exceeded(stock):
    if stock > MAX_LINE_COUNT:
        return LineLimitExceeded(f"每种商品最多购买{MAX_LINE_COUNT}件")
    return LineLimitExceeded()


class SKUFacts:
    """What the cart checks of an SKU, {stock, launched}, cached in the cart's Redis database beside the carts,
    so that a member's add or change reads them and writes the line in one script, one round trip.

    Saving an SKU drops its entry (signals.py), but stock taken by placed orders (a conditional UPDATE, no
    signal) shows here only after CART_SKU_FACTS_SECONDS. Placing an order checks stock again.
    """

    @staticmethod
    def key(sku_id):
        return f"cart_sku_{sku_id}"

    def cached(self, client, sku_id):
        """(stock, launched) from the cache, or None."""
        stock, launched = client.hmget(self.key(sku_id), "stock", "launched")
        return None if stock is None else (int(stock), launched == b"1")

    def remember(self, client, sku_id, facts):
        pipeline = client.pipeline()
        pipeline.hset(self.key(sku_id), mapping={"stock": facts[0], "launched": int(facts[1])})
        pipeline.expire(self.key(sku_id), CART_SKU_FACTS_SECONDS)
        pipeline.execute()

    def stock_for_sale(self, sku_id, load_sku):
        """The SKU's stock, or SKUUnavailable when it is not for sale; for the guest's cart, checked in Python.

        The guest's cart lives in the cookie, so with Redis failing it keeps working on the database's facts.
        """
        client = get_redis_connection("cart")
        try:
            facts = self.cached(client, sku_id)
        except RedisError as exc:
            log_worked_around("SKU facts read from the database, Redis failed: %s", exc)
            return self.for_sale(load_sku(sku_id))
        if facts is None:
            facts = load_sku(sku_id)
            try:
                self.remember(client, sku_id, facts)
            except RedisError as exc:
                log_worked_around("SKU facts not cached: %s", exc)
        return self.for_sale(facts)

    @staticmethod
    def for_sale(facts):
        stock, launched = facts
        if not launched:
            raise SKUUnavailable()
        return stock

    def forget(self, sku_id):
        get_redis_connection("cart").delete(self.key(sku_id))


SKU_FACTS = SKUFacts()
CART_SKU_FACTS_SECONDS = 30

# The member's add and change as one script each: the SKU's facts, the checks and the write happen on the server
# in one round trip, and a refused change writes nothing, so there is nothing to undo. Facts missing from the
# cache make the script answer NEED_FACTS; the caller loads them and runs it again with them (ARGV[6..8]).
# The checks are those of CookieCartStore, in the same order.
# KEYS: cart hash, selected set, SKU facts. ARGV: sku_id, count, selected (1/0), MAX_CART_LINES, MAX_LINE_COUNT,
# [stock, launched (1/0), seconds to keep the facts].
CHECKED_LINE_SCRIPT_HEAD = """
local facts = redis.call('HMGET', KEYS[3], 'stock', 'launched')
local stock, launched = facts[1], facts[2]
if not stock then
  if #ARGV < 8 then return {1} end
  stock, launched = ARGV[6], ARGV[7]
  redis.call('HSET', KEYS[3], 'stock', stock, 'launched', launched)
  redis.call('EXPIRE', KEYS[3], ARGV[8])
end
if launched ~= '1' then return {2} end
stock = tonumber(stock)
local count = tonumber(ARGV[2])
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or 0)
"""
ADD_SCRIPT = (
    CHECKED_LINE_SCRIPT_HEAD
    + """
local new_count = current + count
if count > stock or new_count > math.min(stock, tonumber(ARGV[5])) then return {3, stock} end
if current == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return {4} end
redis.call('HSET', KEYS[1], ARGV[1], new_count)
if ARGV[3] == '1' then redis.call('SADD', KEYS[2], ARGV[1]) end
return {0, new_count}
"""
)
SET_SCRIPT = (
    CHECKED_LINE_SCRIPT_HEAD
    + """
if count > stock then return {3, 0} end
if current == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return {4} end
redis.call('HSET', KEYS[1], ARGV[1], count)
if ARGV[3] == '1' then redis.call('SADD', KEYS[2], ARGV[1]) else redis.call('SREM', KEYS[2], ARGV[1]) end
return {0, count}
"""
)
DONE, NEED_FACTS, UNAVAILABLE, OVER_LIMIT, FULL = range(5)

# Fills the selected set from the hash's fields on the server: a pipeline cannot feed the
# result of HKEYS into SADD, and two round trips would let an add slip in between.
SELECT_ALL_SCRIPT = """
local ids = redis.call('HKEYS', KEYS[1])
if #ids > 0 then redis.call('SADD', KEYS[2], unpack(ids)) end
return #ids
"""


class RedisCartStore(CartStore):
    """The member's cart: hash cart_<uid> {sku_id: count} + set cart_selected_<uid> {sku_id}.

    Every operation is one round trip: a MULTI/EXEC pipeline or a script (EVALSHA) that checks and writes.
    """

    def __init__(self, user_id):
        self.client = get_redis_connection("cart")
        self.cart_key = f"cart_{user_id}"
        self.selected_key = f"cart_selected_{user_id}"

    def lines(self):
        pipeline = self.client.pipeline()
        pipeline.hgetall(self.cart_key)
        pipeline.smembers(self.selected_key)
        counts, selected = pipeline.execute()
        return [CartLine(int(sku_id), int(count), sku_id in selected) for sku_id, count in counts.items()]

    def _checked_line(self, script, line, load_sku):
        keys = (self.cart_key, self.selected_key, SKU_FACTS.key(line.sku_id))
        args = [line.sku_id, line.count, int(line.selected), MAX_CART_LINES, MAX_LINE_COUNT]
        answer = run_script(self.client, script, keys, args)
        if answer[0] == NEED_FACTS:
            stock, launched = load_sku(line.sku_id)
            answer = run_script(self.client, script, keys, [*args, stock, int(launched), CART_SKU_FACTS_SECONDS])
        if answer[0] == UNAVAILABLE:
            raise SKUUnavailable()
        if answer[0] == OVER_LIMIT:
            raise line_limit_exceeded(answer[1])
        if answer[0] == FULL:
            raise CartFull()
        return answer[1]

    def add(self, line, load_sku):
        return self._checked_line(ADD_SCRIPT, line, load_sku)

    def set(self, line, load_sku):
        self._checked_line(SET_SCRIPT, line, load_sku)

    def remove_many(self, sku_ids):
        if not sku_ids:
            return
        pipeline = self.client.pipeline()
        pipeline.hdel(self.cart_key, *sku_ids)
        pipeline.srem(self.selected_key, *sku_ids)
        pipeline.execute()

    def select_all(self, selected):
        if selected:
            run_script(self.client, SELECT_ALL_SCRIPT, (self.cart_key, self.selected_key))
        else:
            self.client.delete(self.selected_key)

    def replace(self, lines):
        """One pipeline, so a merge at login is one round trip."""
        if not lines:
            return
        pipeline = self.client.pipeline()
        pipeline.hset(self.cart_key, mapping={line.sku_id: line.count for line in lines})
        selected = [line.sku_id for line in lines if line.selected]
        unselected = [line.sku_id for line in lines if not line.selected]
        if selected:
            pipeline.sadd(self.selected_key, *selected)
        if unselected:
            pipeline.srem(self.selected_key, *unselected)
        pipeline.execute()


_scripts = {}


def run_script(client, source, keys, args=()):
    """Run a script by its digest (EVALSHA): the server loads it once, later calls send only the digest."""
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = client.register_script(source)
    return script(keys, args, client=client)
