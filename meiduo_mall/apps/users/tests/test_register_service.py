"""users.services.register() as a unit: the whole registration rule, without a request or a response."""

import pytest
from django.test import RequestFactory
from django_redis import get_redis_connection
from rest_framework.test import APIRequestFactory

from meiduo_mall.apps.carts.services import cart_store_for, guest_cart_store
from meiduo_mall.apps.carts.stores import CartLine
from meiduo_mall.apps.users.authentication import JWTAuthentication
from meiduo_mall.apps.users.exceptions import RegistrationRefused
from meiduo_mall.apps.users.models import User
from meiduo_mall.apps.users.services import register
from meiduo_mall.apps.verifications.services import issue_sms_code
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MOBILE = "13712345678"


def sms_code(mobile=MOBILE):
    issue_sms_code(mobile, "127.0.0.1")
    return RecordingSMSBackend.outbox()[-1]["code"]


def guest_cart(*lines):
    cart = guest_cart_store(RequestFactory().get("/"))
    cart.replace(list(lines))
    return cart


def code_left(mobile=MOBILE):
    return get_redis_connection("verify_codes").get(f"sms_{mobile}")


def test_register_creates_the_member_logs_them_in_and_brings_the_guest_cart():
    code = sms_code()
    cart = guest_cart(CartLine(7, 2, True), CartLine(9, 1, False))

    user, login = register("new_shopper", "s3cret-pass", "s3cret-pass", MOBILE, code, cart)

    assert User.objects.get(username="new_shopper", mobile=MOBILE) == user
    assert user.check_password("s3cret-pass")
    assert login["user_id"] == user.id and login["username"] == "new_shopper"
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"JWT {login['token']}")
    assert JWTAuthentication().authenticate(request)[0] == user
    assert cart_store_for(user).lines() == [CartLine(7, 2, True), CartLine(9, 1, False)]
    assert cart.lines() == [] and cart.modified
    assert code_left() is None


def test_a_taken_username_and_mobile_are_refused_together_and_keep_the_code():
    UserFactory(username="taken_name", mobile=MOBILE)
    code = sms_code()

    with pytest.raises(RegistrationRefused) as refused:
        register("taken_name", "s3cret-pass", "s3cret-pass", MOBILE, code, guest_cart())

    assert refused.value.errors == {"username": ["用户名已存在"], "mobile": ["手机号已存在"]}
    assert refused.value.message == "用户名已存在"
    assert code_left() == code.encode()
    assert User.objects.count() == 1


def test_passwords_that_differ_are_refused_and_keep_the_code():
    code = sms_code()

    with pytest.raises(RegistrationRefused) as refused:
        register("new_shopper", "s3cret-pass", "other-pass1", MOBILE, code, guest_cart())

    assert refused.value.errors == {"non_field_errors": ["两次密码不一致"]}
    assert code_left() == code.encode()
    assert not User.objects.exists()


def test_a_wrong_sms_code_creates_nobody_and_leaves_the_guest_cart():
    code = sms_code()
    cart = guest_cart(CartLine(7, 2, True))

    with pytest.raises(RegistrationRefused) as refused:
        register("new_shopper", "s3cret-pass", "s3cret-pass", MOBILE, f"{(int(code) + 1) % 10**6:06d}", cart)

    assert refused.value.errors == {"non_field_errors": ["短信验证码错误"]}
    assert not User.objects.exists()
    assert cart.lines() == [CartLine(7, 2, True)]
