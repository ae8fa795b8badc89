"""Member authentication takes the identity from the verified token and keeps every revocation check."""

import time
from datetime import timedelta

import pytest
from django.test import override_settings
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.tokens import AccessToken

from meiduo_mall.apps.users.authentication import JWTAuthentication, token_member
from meiduo_mall.apps.users.models import User
from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import UserFactory
from tests.test_foundation import dead_redis_caches

pytestmark = pytest.mark.django_db


def authenticate(token):
    return JWTAuthentication().authenticate(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"JWT {token}"))


def member_client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {token}")
    return client


def test_a_member_request_loads_no_user_row(user, django_assert_num_queries):
    client = member_client(issue_jwt(user))
    client.get("/cart/")  # caches the password fingerprint
    with django_assert_num_queries(0):
        response = client.get("/cart/")
    assert response.status_code == 200


def test_the_member_carries_the_tokens_id_and_username_and_loads_the_rest_at_once(user, django_assert_num_queries):
    user.email = "member@example.com"
    user.save()
    member, _ = authenticate(issue_jwt(user))
    with django_assert_num_queries(0):
        assert (member.id, member.pk, member.username, member.is_active) == (user.id, user.id, user.username, True)
        assert member.is_authenticated and member == user
    with django_assert_num_queries(1):
        assert (member.mobile, member.email, member.password) == (user.mobile, user.email, user.password)
        assert member.date_joined == user.date_joined
    assert not member.get_deferred_fields()


def test_the_member_works_in_queries_and_as_a_foreign_key(user, django_assert_num_queries):
    from tests.factories import AddressFactory

    address = AddressFactory(user=user)
    member = token_member(user.id, user.username)
    with django_assert_num_queries(1):
        assert list(type(address).objects.filter(user=member)) == [address]
    address.user = member
    with django_assert_num_queries(1):
        address.save()
    assert address.user_id == user.id
    # Nothing beyond the id was needed, so the row was never loaded.
    assert "mobile" in member.get_deferred_fields()


def test_the_profile_is_read_with_one_query_for_the_row(user, django_assert_num_queries):
    client = member_client(issue_jwt(user))
    client.get("/cart/")
    with django_assert_num_queries(1):
        response = client.get("/user/")
    assert response.status_code == 200
    assert response.json()["mobile"] == user.mobile


def test_a_token_without_username_claim_loads_the_username(user):
    token = AccessToken.for_user(user)
    member, _ = authenticate(str(token))
    assert member.username == user.username


def test_changing_the_password_revokes_tokens_issued_before(user):
    token = issue_jwt(user)
    assert authenticate(token)[0] == user
    user.set_password("a-new-password-1")
    user.save()
    with pytest.raises(AuthenticationFailed, match="密码已修改"):
        authenticate(token)
    assert authenticate(issue_jwt(user))[0] == user


@pytest.mark.parametrize("change", ["deactivate", "delete"])
def test_deactivating_or_deleting_the_account_revokes_its_tokens(user, change):
    token = issue_jwt(user)
    assert authenticate(token)[0] == user
    if change == "deactivate":
        user.is_active = False
        user.save()
    else:
        user.delete()
    with pytest.raises(AuthenticationFailed, match="用户不存在或已停用"):
        authenticate(token)
    response = member_client(token).get("/user/")
    assert response.status_code == 401


def test_a_change_made_elsewhere_is_seen_once_its_cached_fingerprint_is_gone(user):
    token = issue_jwt(user)
    authenticate(token)
    # A queryset update sends no signal; the back office and the password views save the instance.
    User.objects.filter(pk=user.pk).update(password="changed-without-signal")
    assert authenticate(token)[0] == user
    user.refresh_from_db()
    user.save()
    with pytest.raises(AuthenticationFailed, match="密码已修改"):
        authenticate(token)


def test_member_auth_works_from_the_database_when_redis_is_down(settings, user):
    token = issue_jwt(user)
    with override_settings(CACHES=dead_redis_caches(settings)):
        member, _ = authenticate(token)
        assert member == user
        user.set_password("a-new-password-1")
        User.objects.filter(pk=user.pk).update(password=user.password)
        with pytest.raises(AuthenticationFailed, match="密码已修改"):
            authenticate(token)


def test_a_verified_token_is_still_refused_once_it_expires(user, settings):
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "ACCESS_TOKEN_LIFETIME": timedelta(seconds=1)}
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=1))
    raw = str(token)
    assert authenticate(raw)[0] == user
    time.sleep(1.2)
    with pytest.raises(InvalidToken):
        authenticate(raw)


@pytest.mark.parametrize("user_id", [None, "abc"])
def test_a_token_without_a_usable_user_id_is_refused(user, user_id):
    token = AccessToken.for_user(user)
    token["user_id"] = user_id
    with pytest.raises(InvalidToken):
        authenticate(str(token))


def test_another_users_token_never_authenticates_as_this_one(user):
    other = UserFactory()
    assert authenticate(issue_jwt(other))[0] == other
    assert authenticate(issue_jwt(user))[0] == user
