"""C1–C3 over HTTP: the coupon centre, a claim and my coupons, and the coupons a new member finds there."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_redis import get_redis_connection

from meiduo_mall.apps.coupons.models import MemberCoupon
from meiduo_mall.apps.coupons.scopes import forget_scopes
from meiduo_mall.apps.oauth.services import bind_qq_user
from meiduo_mall.apps.users.models import User
from meiduo_mall.apps.users.tests.fixtures import jwt_client
from tests.factories import CategoryFactory, GoodsFactory, OrderFactory, UserFactory

from .fixtures import CouponFactory, MemberCouponFactory

pytestmark = pytest.mark.django_db

MOBILE = "13712345670"


def minute(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def centre(client):
    response = client.get("/coupons/")
    assert response.status_code == 200
    return {coupon["name"]: coupon for coupon in response.json()["coupons"]}


def test_the_coupon_centre_lists_public_active_coupons_still_handed_out_newest_first(api_client):
    CouponFactory(name="后台券", is_public=False)
    CouponFactory(name="停用券", is_active=False)
    CouponFactory(name="过期券", valid_until=timezone.now())
    CouponFactory(name="七天券", valid_from=None, valid_until=None, valid_days=7)
    CouponFactory(name="满减券")

    response = api_client.get("/coupons/")

    assert [coupon["name"] for coupon in response.json()["coupons"]] == ["满减券", "七天券"]


def test_a_coupon_in_the_centre_says_what_it_gives_and_how_many_are_left(api_client):
    coupon = CouponFactory(name="满减券", total_quantity=50, issued_count=20, per_member_limit=2)

    listed = centre(api_client)["满减券"]

    assert listed == {
        "id": coupon.pk,
        "name": "满减券",
        "kind": 1,
        "kind_name": "满减",
        "description": "满100减10",
        "threshold": "100.00",
        "scope": 1,
        "scope_name": "全场通用",
        "scope_text": "",
        "valid_from": minute(coupon.valid_from),
        "valid_until": minute(coupon.valid_until),
        "valid_days": None,
        "remaining": 30,
        "per_member_limit": 2,
        "claimed": 0,
        "can_claim": True,
    }


def test_a_stale_token_in_the_centre_is_a_guest_not_a_401(api_client):
    CouponFactory(name="满减券")
    api_client.credentials(HTTP_AUTHORIZATION="JWT undefined")

    assert centre(api_client)["满减券"]["claimed"] == 0


def test_the_centre_counts_the_members_copies(user, auth_client):
    coupon = CouponFactory(name="满减券", per_member_limit=2)
    CouponFactory(name="抢光了", total_quantity=1, issued_count=1)
    auth_client.post(f"/coupons/{coupon.pk}/claim/")

    listed = centre(auth_client)
    assert (listed["满减券"]["claimed"], listed["满减券"]["can_claim"]) == (1, True)
    assert (listed["抢光了"]["remaining"], listed["抢光了"]["can_claim"]) == (0, False)

    auth_client.post(f"/coupons/{coupon.pk}/claim/")
    assert (centre(auth_client)["满减券"]["claimed"], centre(auth_client)["满减券"]["can_claim"]) == (2, False)


def test_the_centre_names_the_scope_in_a_fixed_number_of_queries(api_client, django_assert_num_queries):
    def limited(index):
        categories = [CategoryFactory(name=f"分类{index}{n}") for n in range(3)]
        goods = [GoodsFactory(name=f"商品{index}{n}") for n in range(3)]
        CouponFactory(name=f"分类券{index}", scope=2, categories=categories)
        CouponFactory(name=f"商品券{index}", scope=3, goods=goods)

    limited(0)
    with django_assert_num_queries(3) as few:
        api_client.get("/coupons/")
    for index in range(1, 6):
        limited(index)

    with django_assert_num_queries(len(few.captured_queries)):
        listed = centre(api_client)

    assert listed["分类券0"]["scope_text"] == "限 分类00、分类01、分类02"
    assert (listed["商品券5"]["scope_name"], listed["商品券5"]["scope_text"]) == (
        "指定商品",
        "限 商品50、商品51、商品52",
    )


def test_a_claim_answers_the_members_new_coupon(user, auth_client):
    coupon = CouponFactory(name="折扣券", kind=2, percent_off=10, threshold="200.00", max_discount="50.00")

    response = auth_client.post(f"/coupons/{coupon.pk}/claim/")

    assert response.status_code == 201
    copy = MemberCoupon.objects.get(user=user)
    assert response.json() == {
        "id": copy.pk,
        "coupon": coupon.pk,
        "name": "折扣券",
        "kind": 2,
        "kind_name": "折扣",
        "description": "满200打9折（最多减50）",
        "threshold": "200.00",
        "scope": 1,
        "scope_name": "全场通用",
        "scope_text": "",
        "valid_from": minute(coupon.valid_from),
        "valid_until": minute(coupon.valid_until),
        "status": "usable",
        "used_time": None,
        "order_id": None,
        "source_name": "领券中心",
    }


@pytest.mark.parametrize(
    ("fields", "claims_before", "message"),
    [
        ({"total_quantity": 1, "issued_count": 1}, 0, "优惠券已领完"),
        ({"per_member_limit": 2}, 2, "每人限领2张"),
        ({"valid_until": timezone.now() - timedelta(minutes=1)}, 0, "优惠券已过期"),
    ],
    ids=["gone", "limit 2", "expired"],
)
def test_a_claim_refused_says_why(user, auth_client, fields, claims_before, message):
    coupon = CouponFactory(**fields)
    for _ in range(claims_before):
        assert auth_client.post(f"/coupons/{coupon.pk}/claim/").status_code == 201

    response = auth_client.post(f"/coupons/{coupon.pk}/claim/")

    assert (response.status_code, response.json()) == (400, {"message": message})
    assert MemberCoupon.objects.count() == claims_before


@pytest.mark.parametrize("fields", [{"is_public": False}, {"is_active": False}, None], ids=["private", "off", "none"])
def test_a_claim_of_a_coupon_not_offered_is_404(auth_client, fields):
    coupon_id = CouponFactory(**fields).pk if fields else 10**30

    response = auth_client.post(f"/coupons/{coupon_id}/claim/")

    assert (response.status_code, response.json()) == (404, {"message": "优惠券不存在"})


@pytest.mark.parametrize("path", ["/coupons/{id}/claim/", "/coupons/mine/"])
def test_a_guest_gets_401(api_client, path):
    coupon = CouponFactory()
    send = api_client.post if path.endswith("claim/") else api_client.get

    assert send(path.format(id=coupon.pk)).status_code == 401
    assert not MemberCoupon.objects.exists()


def test_my_coupons_fall_under_usable_used_and_expired(user, auth_client, address):
    now = timezone.now()
    soon = MemberCouponFactory(user=user, valid_until=now + timedelta(days=1))
    later = MemberCouponFactory(user=user, valid_until=now + timedelta(days=5))
    not_yet = MemberCouponFactory(user=user, valid_from=now + timedelta(days=1), valid_until=now + timedelta(days=3))
    expired = MemberCouponFactory(user=user, valid_until=now - timedelta(minutes=1))
    used = MemberCouponFactory(user=user, status=MemberCoupon.Status.USED, used_time=now)
    order = OrderFactory(user=user, address=address, coupon=used, discount="10.00")
    MemberCouponFactory(user=UserFactory())

    tabs = {tab: auth_client.get(f"/coupons/mine/?status={tab}").json() for tab in ("usable", "used", "expired")}

    assert tabs["usable"] == auth_client.get("/coupons/mine/").json()
    assert all(body["counts"] == {"usable": 3, "used": 1, "expired": 1} for body in tabs.values())
    assert [c["id"] for c in tabs["usable"]["coupons"]] == [soon.pk, not_yet.pk, later.pk]
    assert [(c["id"], c["status"], c["order_id"]) for c in tabs["used"]["coupons"]] == [
        (used.pk, "used", order.order_id)
    ]
    assert tabs["used"]["coupons"][0]["used_time"] == minute(now)
    assert [(c["id"], c["status"]) for c in tabs["expired"]["coupons"]] == [(expired.pk, "expired")]


def test_my_used_coupons_list_the_last_used_first(user, auth_client):
    now = timezone.now()
    first = MemberCouponFactory(user=user, status=MemberCoupon.Status.USED, used_time=now - timedelta(days=2))
    last = MemberCouponFactory(user=user, status=MemberCoupon.Status.USED, used_time=now)

    body = auth_client.get("/coupons/mine/?status=used").json()

    assert [c["id"] for c in body["coupons"]] == [last.pk, first.pk]
    assert body["coupons"][0]["order_id"] is None


@pytest.mark.parametrize("status", ["all", "", "USABLE", "1"])
def test_my_coupons_refuse_another_tab(auth_client, status):
    response = auth_client.get(f"/coupons/mine/?status={status}")

    assert (response.status_code, response.json()) == (400, {"message": "优惠券状态无效"})


def register(api_client, username="new_shopper", mobile=MOBILE):
    assert api_client.get(f"/sms_codes/{mobile}/").status_code == 200
    code = get_redis_connection("verify_codes").get(f"sms_{mobile}").decode()
    body = {
        "username": username,
        "password": "s3cret-pass",
        "password2": "s3cret-pass",
        "mobile": mobile,
        "sms_code": code,
        "allow": True,
    }
    response = api_client.post("/users/", body, format="json")
    assert response.status_code == 201, response.content
    return User.objects.get(username=username)


def test_a_new_member_finds_the_new_member_coupon_in_my_coupons(api_client):
    CouponFactory(name="新人券", for_new_members=True, is_public=False, valid_from=None, valid_until=None, valid_days=7)
    CouponFactory(name="普通券")

    member = register(api_client)

    body = jwt_client(member).get("/coupons/mine/").json()
    assert [(c["name"], c["source_name"]) for c in body["coupons"]] == [("新人券", "新人礼")]
    copy = MemberCoupon.objects.get(user=member)
    assert copy.valid_until - copy.valid_from == timedelta(days=7)


def test_a_new_member_gets_no_coupon_with_the_setting_off(api_client, settings):
    settings.NEW_MEMBER_COUPONS = False
    CouponFactory(for_new_members=True)

    register(api_client)

    assert not MemberCoupon.objects.exists()


def test_registration_goes_on_when_the_new_member_coupon_is_gone(api_client):
    coupon = CouponFactory(for_new_members=True, total_quantity=1, issued_count=1)

    member = register(api_client)

    assert member.is_active and not MemberCoupon.objects.filter(coupon=coupon).exists()


def test_an_account_made_at_a_qq_login_gets_the_new_member_coupon_and_one_bound_to_it_does_not():
    CouponFactory(name="新人券", for_new_members=True)
    existing = UserFactory()

    joined = bind_qq_user("QQOPENID-NEW", "13700000001", "s3cret-pass")
    bind_qq_user("QQOPENID-OLD", existing.mobile, "password123")

    assert list(MemberCoupon.objects.values_list("user", "source")) == [(joined.pk, MemberCoupon.Source.NEW_MEMBER)]


def test_my_coupons_cost_a_fixed_number_of_queries(user, auth_client, address, django_assert_num_queries):
    def used_copy(index):
        coupon = CouponFactory(scope=2, categories=[CategoryFactory(name=f"分类{index}")])
        copy = MemberCouponFactory(user=user, coupon=coupon, status=MemberCoupon.Status.USED, used_time=timezone.now())
        OrderFactory(user=user, address=address, coupon=copy)

    used_copy(0)
    # The first request also fills the member's token check cache.
    auth_client.get("/coupons/mine/?status=used")
    # Both counted requests read the scopes of the coupons they list, as a process new to them does.
    forget_scopes()
    with CaptureQueriesContext(connection) as few:
        auth_client.get("/coupons/mine/?status=used")
    for index in range(1, 6):
        used_copy(index)
    forget_scopes()

    with django_assert_num_queries(len(few.captured_queries)):
        body = auth_client.get("/coupons/mine/?status=used").json()

    assert len(body["coupons"]) == 6 and all(c["order_id"] for c in body["coupons"])


def test_a_copy_of_a_template_switched_off_since_stays_usable(user, auth_client):
    copy = MemberCouponFactory(user=user)
    type(copy.coupon).objects.filter(pk=copy.coupon_id).update(is_active=False)

    body = auth_client.get("/coupons/mine/").json()

    assert [(c["id"], c["status"]) for c in body["coupons"]] == [(copy.pk, "usable")]
