"""What the bad requests are sent into, and how "nothing changed" is checked.

The world is two members with an address, orders and a cart each, and one SKU: every write endpoint has its
own objects to aim at and another member's to be refused. The state is every table of the database (MariaDB's
CHECKSUM TABLE: content, not only row counts) and every key of every Redis database the shop uses, with its
value (DUMP), taken before and after each request.
"""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import connection
from django.utils import timezone
from django_redis import get_redis_connection
from rest_framework_simplejwt.tokens import AccessToken

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.coupons.tests.fixtures import CouponFactory, MemberCouponFactory
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo, ReturnRequest
from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import AddressFactory, OrderFactory, SKUFactory, UserFactory


@dataclass
class World:
    user: object
    other: object
    sku: object
    address: object
    others_address: object
    order: object
    others_order: object
    # A public coupon the member may claim, and one offered to nobody (granted by operators only).
    coupon: object = None
    private_coupon: object = None
    # A copy of another coupon each member holds, to pay an order with (P2's coupon_id).
    member_coupon: object = None
    others_member_coupon: object = None

    def own_ids(self):
        return {
            "address_id": self.address.id,
            "order_id": self.order.order_id,
            "user_id": self.user.id,
            "return_id": self.order.returns.get().id,
            "coupon_id": self.coupon.id,
        }

    def others_ids(self):
        return {
            "address_id": self.others_address.id,
            "order_id": self.others_order.order_id,
            "user_id": self.other.id,
            "return_id": self.others_order.returns.get().id,
            "coupon_id": self.private_coupon.id,
        }


def make_world():
    sku = SKUFactory(stock=10)
    user, other = UserFactory(), UserFactory()
    address, others_address = AddressFactory(user=user), AddressFactory(user=other)
    # Received today and not yet commented: the state in which comments and returns are taken, so only the bad
    # input is refused.
    received = {"status": OrderInfo.Status.UNCOMMENT, "received_time": timezone.now()}
    order = OrderFactory(user=user, address=address, **received)
    others_order = OrderFactory(user=other, address=others_address, **received)
    for each in (order, others_order):
        OrderGoods.objects.create(order=each, sku=sku, count=1, price=sku.price)
        # Approved and waiting for its parcel: the state in which the member sends the shipment.
        ReturnRequest.objects.create(
            order=each,
            user=each.user,
            reason=ReturnRequest.Reason.QUALITY,
            refund_amount=sku.price,
            status=ReturnRequest.Status.APPROVED,
        )
    fill_cart(user, {sku.id: 1})
    fill_cart(other, {sku.id: 2})
    coupon, private_coupon = CouponFactory(), CouponFactory(is_public=False)
    member_coupon, others_member_coupon = MemberCouponFactory(user=user), MemberCouponFactory(user=other)
    return World(
        user,
        other,
        sku,
        address,
        others_address,
        order,
        others_order,
        coupon,
        private_coupon,
        member_coupon,
        others_member_coupon,
    )


def _b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def bad_jwts(world):
    """{case: token} for tokens that must not authenticate anyone."""
    good = issue_jwt(world.user)
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    expired = AccessToken.for_user(world.user)
    expired["username"] = world.user.username
    expired.set_exp(from_time=expired.current_time - timedelta(days=2), lifetime=timedelta(days=1))
    return {
        "expired JWT": str(expired),
        "JWT signed with another key": _resign(header, payload),
        "JWT with alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "JWT claiming another member": f"{header}.{_b64({**claims, 'user_id': world.other.id})}.{signature}",
        "not a JWT": "undefined",
    }


def _resign(header, payload):
    forged = hmac.new(b"not the shop's key", f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{base64.urlsafe_b64encode(forged).rstrip(b'=').decode()}"


class _SignedLongAgo(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - self.age)


def expired_signed(payload, salt, age):
    """A token signed with the shop's key `age` seconds ago, as signing.dumps would have made it then."""
    signer = _SignedLongAgo(salt=salt)
    signer.age = age
    return signer.sign_object(payload)


def forged_signed(payload, salt):
    """The same token signed with a key that is not the shop's."""
    return signing.dumps(payload, key="not the shop's key", salt=salt)


# Copies of database rows a read puts in Redis (the member's password fingerprint, an SKU's cart facts):
# filling them is no change of the shop's state.
READ_THROUGH_CACHES = (b"auth_fingerprint_", b"cart_sku_")


def state():
    """Every table's checksum and every Redis key with its value."""
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("CHECKSUM TABLE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        checksums = {name.split(".", 1)[1]: value for name, value in cursor.fetchall()}
    keys = {}
    for where, client in _redis_databases().items():
        for key in client.scan_iter(count=1000):
            if not key.startswith(READ_THROUGH_CACHES):
                keys[where, key] = client.dump(key)
    return checksums, keys


def _redis_databases():
    databases = {}
    for alias in settings.CACHES:
        client = get_redis_connection(alias)
        kwargs = client.connection_pool.connection_kwargs
        databases.setdefault((kwargs.get("host"), kwargs.get("port"), kwargs.get("db", 0)), client)
    return databases


def changes(before, after):
    """What differs between two states: tables, then Redis keys."""
    return [str(name) for part in (0, 1) for name in _differing(before[part], after[part])]


def _differing(before, after):
    return sorted((name for name in before.keys() | after.keys() if before.get(name) != after.get(name)), key=str)
