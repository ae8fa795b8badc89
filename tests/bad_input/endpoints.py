"""Every write endpoint of the shop, with a good request each bad one is made from.

ENDPOINTS covers what DRF routes (drf_spectacular's EndpointEnumerator lists the same operations the
schema describes, hidden ones included); PLAIN_VIEWS are the Django views beside them. test_coverage fails
when a route is added without an entry here, so a new endpoint cannot miss the bad-input tests.
"""

from dataclasses import dataclass, field

from meiduo_mall.apps.oauth.services import sign_openid
from meiduo_mall.apps.users.services import make_reset_token
from tests.factories import DEFAULT_PASSWORD

MEMBER, OPTIONAL, ANYONE = "member", "optional", "anyone"


@dataclass(frozen=True)
class Ref:
    """A value of the world (an id, a token), known only once the test has made it; `type` is its JSON type."""

    name: str
    type: type

    def resolve(self, world):
        return REFS[self.name](world)


REFS = {
    "sku_id": lambda w: w.sku.id,
    "address_id": lambda w: w.address.id,
    "others_address_id": lambda w: w.others_address.id,
    "order_id": lambda w: w.order.order_id,
    "order_goods_id": lambda w: w.order.skus.get().id,
    "others_order_goods_id": lambda w: w.others_order.skus.get().id,
    "member_coupon_id": lambda w: w.member_coupon.id,
    "others_member_coupon_id": lambda w: w.others_member_coupon.id,
    "reset_token": lambda w: make_reset_token(w.user),
    "openid_token": lambda w: sign_openid("QQOPENID-BAD-INPUT"),
}


@dataclass(frozen=True)
class Endpoint:
    """`auth`: MEMBER needs the JWT (401 without), OPTIONAL takes a guest too (the cart), ANYONE ignores tokens."""

    auth: str
    body: dict | None = None
    # Fields that name the member's own objects: another member's in their place is refused too.
    others: dict = field(default_factory=dict)


ADDRESS = {
    "receiver": "李四",
    "province_id": 110000,
    "city_id": 110100,
    "district_id": 110101,
    "place": "东长安街2号",
    "mobile": "13900139000",
    "tel": "010-12345678",
    "email": "home@example.com",
    "title": "家",
}
NEW_PASSWORD = {"old_password": DEFAULT_PASSWORD, "password": "newpass1234", "password2": "newpass1234"}
CART_LINE = {"sku_id": Ref("sku_id", int), "count": 1, "selected": True}

ENDPOINTS = {
    ("POST", "/addresses/"): Endpoint(MEMBER, ADDRESS),
    ("PUT", "/addresses/{address_id}/"): Endpoint(MEMBER, ADDRESS),
    ("DELETE", "/addresses/{address_id}/"): Endpoint(MEMBER),
    ("PUT", "/addresses/{address_id}/status/"): Endpoint(MEMBER),
    ("PUT", "/addresses/{address_id}/title/"): Endpoint(MEMBER, {"title": "公司"}),
    ("POST", "/authorizations/"): Endpoint(ANYONE, {"username": "nobody-here", "password": DEFAULT_PASSWORD}),
    ("POST", "/browse_histories/"): Endpoint(MEMBER, {"sku_id": Ref("sku_id", int)}),
    # C2: the body is empty; a coupon offered to nobody stands in for another member's id (404).
    ("POST", "/coupons/{coupon_id}/claim/"): Endpoint(MEMBER),
    **{
        (method, f"/{prefix}/"): Endpoint(OPTIONAL, body)
        for prefix in ("cart", "carts")
        for method, body in (("POST", CART_LINE), ("PUT", CART_LINE), ("DELETE", {"sku_id": Ref("sku_id", int)}))
    },
    ("PUT", "/cart/selection/"): Endpoint(OPTIONAL, {"selected": True}),
    ("PUT", "/carts/selection/"): Endpoint(OPTIONAL, {"selected": True}),
    ("PUT", "/email/"): Endpoint(MEMBER, {"email": "new-address@example.com"}),
    ("PUT", "/emails/"): Endpoint(MEMBER, {"email": "new-address@example.com"}),
    ("POST", "/oauth/qq/user/"): Endpoint(
        ANYONE,
        {
            "access_token": Ref("openid_token", str),
            "mobile": "13900139999",
            "password": DEFAULT_PASSWORD,
            "sms_code": "123456",
        },
    ),
    ("POST", "/orders/"): Endpoint(
        MEMBER,
        {"address": Ref("address_id", int), "pay_method": 1, "coupon_id": Ref("member_coupon_id", int)},
        others={"address": Ref("others_address_id", int), "coupon_id": Ref("others_member_coupon_id", int)},
    ),
    ("PUT", "/orders/{order_id}/cancel/"): Endpoint(MEMBER),
    ("POST", "/orders/{order_id}/comments/"): Endpoint(
        MEMBER,
        {
            "order": Ref("order_id", str),
            "sku": Ref("sku_id", int),
            "comment": "质量很好，物流也快",
            "score": 5,
            "is_anonymous": False,
        },
    ),
    ("PUT", "/orders/{order_id}/receipt/"): Endpoint(MEMBER),
    # The page sends a multipart form (lines as JSON text, photos); the same body as JSON is taken too.
    ("POST", "/orders/{order_id}/returns/"): Endpoint(
        MEMBER,
        {"lines": [{"order_goods": Ref("order_goods_id", int), "count": 1}], "reason": 2, "description": "破损"},
        others={"lines": [{"order_goods": Ref("others_order_goods_id", int), "count": 1}]},
    ),
    ("PUT", "/returns/{return_id}/shipment/"): Endpoint(MEMBER, {"carrier": "顺丰速运", "tracking_number": "SF1001"}),
    ("POST", "/password/"): Endpoint(MEMBER, NEW_PASSWORD),
    ("PUT", "/users/{user_id}/password/"): Endpoint(MEMBER, NEW_PASSWORD),
    ("PUT", "/users/{user_id}/resetpassword/"): Endpoint(MEMBER, NEW_PASSWORD),
    # F4: the reset token is the credential; with the right token and a good body the password would change.
    ("POST", "/users/{user_id}/password/"): Endpoint(
        ANYONE, {"access_token": Ref("reset_token", str), "password": "newpass1234", "password2": "newpass1234"}
    ),
    ("POST", "/users/"): Endpoint(
        ANYONE,
        {
            "username": "newshopper",
            "password": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
            "mobile": "13900139998",
            "sms_code": "123456",
            "allow": True,
        },
    ),
    # P5: the browser's return from Alipay; its input is the signed query string (test_write_endpoints).
    ("PUT", "/payment/status/"): Endpoint(ANYONE),
}

# Django views outside DRF, by route: the write methods each takes (tested in test_write_endpoints too).
PLAIN_VIEWS = {
    "health/": (),
    "health/ready/": (),
    "payment/notify/": ("POST",),
    "payment/sandbox/gateway/": ("POST",),
    # The sandbox's openapi (refunds): Alipay's protocol takes the signed call as a GET query or a form POST.
    "payment/sandbox/gateway.do": ("GET", "POST"),
    "js/host.js": (),
    "^media/(?P<path>.*)$": (),
    "^(?P<path>.*)$": (),
}
