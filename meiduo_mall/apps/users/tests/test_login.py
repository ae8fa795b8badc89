import jwt
import pytest
from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIRequestFactory
from rest_framework_simplejwt.exceptions import InvalidToken

from meiduo_mall.apps.users.authentication import JWTAuthentication
from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import DEFAULT_PASSWORD, UserFactory


def log_in(api_client, username, password=DEFAULT_PASSWORD, **extra):
    return api_client.post("/authorizations/", {"username": username, "password": password}, format="json", **extra)


def authenticate(header):
    return JWTAuthentication().authenticate(APIRequestFactory().get("/", HTTP_AUTHORIZATION=header))


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["username", "mobile"])
def test_login_by_username_or_mobile(api_client, user, by):
    response = log_in(api_client, getattr(user, by))

    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == user.id and body["username"] == user.username
    assert authenticate(f"JWT {body['token']}")[0] == user
    assert authenticate(f"Bearer {body['token']}")[0] == user


@pytest.mark.django_db
@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "shopper-x", "password": "wrong-password"},
        {"username": "13999999999", "password": DEFAULT_PASSWORD},
        {"username": "nobody", "password": DEFAULT_PASSWORD},
    ],
)
def test_bad_credentials_get_one_message(api_client, credentials):
    UserFactory(username="shopper-x")

    response = api_client.post("/authorizations/", credentials, format="json")

    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["用户名或密码错误"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [{}, {"username": "someone"}, {"password": "x" * 10}, {"username": ["a"], "password": 1}]
)
def test_incomplete_login_is_refused(api_client, body):
    response = api_client.post("/authorizations/", body, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


@pytest.mark.django_db
def test_inactive_user_cannot_log_in(api_client):
    user = UserFactory(is_active=False)
    assert log_in(api_client, user.username).status_code == 400


@pytest.mark.django_db
def test_stale_token_in_the_header_does_not_block_logging_in(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION="JWT undefined")
    assert log_in(api_client, user.username).status_code == 200


@pytest.mark.django_db
def test_successful_logins_do_not_count(api_client, user):
    for _ in range(12):
        assert log_in(api_client, user.username).status_code == 200


@pytest.mark.django_db
def test_forged_and_expired_tokens_are_rejected(user):
    forged = jwt.encode(
        {"user_id": user.id, "token_type": "access", "exp": 4102444800},
        "a-forger-does-not-know-our-signing-key",
        "HS256",
    )
    with pytest.raises(InvalidToken):
        authenticate(f"JWT {forged}")
    expired = jwt.encode({"user_id": user.id, "token_type": "access", "exp": 1}, settings.SECRET_KEY, "HS256")
    with pytest.raises(InvalidToken):
        authenticate(f"JWT {expired}")


@pytest.mark.django_db
def test_token_dies_when_the_password_changes(user):
    token = issue_jwt(user)
    user.set_password("another-password")
    user.save()
    with pytest.raises(AuthenticationFailed):
        authenticate(f"JWT {token}")
