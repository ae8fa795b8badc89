"""Expired and forged signed tokens: the e-mail link (C3), the QQ binding token (O3) and the find-password tokens
(F2, F4). Each is refused 4xx in JSON with a message and changes nothing; the good token next to it shows the
request would have gone through.
"""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core import signing
from django_redis import get_redis_connection
from rest_framework.test import APIClient

from meiduo_mall.apps.oauth.services import OPENID_TOKEN_SALT
from meiduo_mall.apps.users.email_verification import VERIFY_EMAIL_SALT
from meiduo_mall.apps.users.services import RESET_TOKEN_SALT, SMS_TOKEN_SALT, make_reset_token
from tests.bad_input.test_write_endpoints import assert_refused_in_json
from tests.bad_input.world import changes, expired_signed, forged_signed, make_world, state

pytestmark = pytest.mark.django_db

QQ_MOBILE = "13900139999"
QQ_SMS_CODE = "246810"


def bad_tokens(payload, salt, lifetime):
    """{case: token} of tokens over `payload` that must not pass for the shop's own."""
    return {
        "expired": expired_signed(payload, salt, age=lifetime + 60),
        "signed with another key": forged_signed(payload, salt),
        "signed for another purpose": expired_signed(payload, "meiduo.some.other.purpose", age=0),
        "truncated": expired_signed(payload, salt, age=0)[:-5],
        "not a token": "undefined",
    }


def email_link(world, token):
    return APIClient().get(f"/emails/verification/?{urlencode({'token': token})}")


def qq_binding(world, token):
    # The SMS code is right, so the token alone decides.
    get_redis_connection("verify_codes").set(f"sms_{QQ_MOBILE}", QQ_SMS_CODE, ex=300)
    body = {"access_token": token, "mobile": QQ_MOBILE, "password": "password123", "sms_code": QQ_SMS_CODE}
    return APIClient().post("/oauth/qq/user/", body, format="json")


def password_reset(world, token):
    body = {"access_token": token, "password": "newpass1234", "password2": "newpass1234"}
    return APIClient().post(f"/users/{world.user.id}/password/", body, format="json")


def sms_by_token(world, token):
    return APIClient().get(f"/sms_codes/?{urlencode({'access_token': token})}")


FLOWS = {
    "e-mail link": (email_link, lambda w: {"user_id": w.user.id, "email": w.user.email}, VERIFY_EMAIL_SALT, "email"),
    "QQ binding": (qq_binding, lambda w: {"openid": "QQOPENID-TOKENS"}, OPENID_TOKEN_SALT, "access"),
    "password reset": (password_reset, lambda w: _reset_payload(w), RESET_TOKEN_SALT, "access"),
    "SMS by token": (sms_by_token, lambda w: {"user_id": w.user.id}, SMS_TOKEN_SALT, "access"),
}
CASES = ["expired", "signed with another key", "signed for another purpose", "truncated", "not a token"]


def _reset_payload(world):
    return signing.loads(make_reset_token(world.user), salt=RESET_TOKEN_SALT)


def lifetime(kind):
    return settings.VERIFY_EMAIL_TOKEN_EXPIRES if kind == "email" else settings.ACCESS_TOKEN_EXPIRES


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("flow", FLOWS)
def test_a_bad_token_is_refused_and_changes_nothing(flow, case):
    send, payload, salt, kind = FLOWS[flow]
    world = make_world()
    token = bad_tokens(payload(world), salt, lifetime(kind))[case]
    if flow == "QQ binding":
        qq_binding(world, "warm-up")  # the SMS code stored: part of the state before, not a change
    before = state()

    response = send(world, token)

    assert_refused_in_json(response)
    assert changes(before, state()) == []


def test_a_reset_token_of_another_member_is_refused_and_changes_nothing():
    world = make_world()
    before = state()

    response = password_reset(world, make_reset_token(world.other))

    assert_refused_in_json(response)
    assert changes(before, state()) == []


@pytest.mark.parametrize("flow", FLOWS)
def test_the_good_token_goes_through(flow):
    """The refusals above are the token's doing: the same request with a good token changes the state."""
    send, payload, salt, kind = FLOWS[flow]
    world = make_world()
    token = expired_signed(payload(world), salt, age=0)
    if flow == "QQ binding":
        qq_binding(world, "warm-up")
    before = state()

    response = send(world, token)

    assert response.status_code == 200, response.content
    assert changes(before, state()) != []
