"""Put a member's cart straight into Redis, in the layout of API.md §6.4 (hash + selected set)."""

from django_redis import get_redis_connection


def fill_cart(user, counts, unselected=()):
    """counts: {sku_id: count}, written in the given order; ids in `unselected` stay unticked."""
    redis = get_redis_connection("cart")
    for sku_id, count in counts.items():
        redis.hset(f"cart_{user.id}", sku_id, count)
        if sku_id not in unselected:
            redis.sadd(f"cart_selected_{user.id}", sku_id)


def cart_of(user):
    redis = get_redis_connection("cart")
    counts = {int(k): int(v) for k, v in redis.hgetall(f"cart_{user.id}").items()}
    selected = {int(k) for k in redis.smembers(f"cart_selected_{user.id}")}
    return counts, selected
