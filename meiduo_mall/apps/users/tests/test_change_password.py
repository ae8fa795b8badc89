import pytest

from meiduo_mall.apps.users.tests.fixtures import jwt_client
from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "brand-new-pass"


def change(client, user, **overrides):
    body = {"old_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD, **overrides}
    return client.put(f"/users/{user.id}/password/", body, format="json")


def test_change_password_revokes_earlier_tokens(auth_client, user, api_client):
    assert change(auth_client, user).status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The token used for the change was issued under the old password: it no longer works.
    assert auth_client.get("/user/").status_code == 401

    login = api_client.post("/authorizations/", {"username": user.username, "password": NEW_PASSWORD}, format="json")
    assert login.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"JWT {login.json()['token']}")
    assert api_client.get("/user/").status_code == 200
    old = api_client.post("/authorizations/", {"username": user.username, "password": DEFAULT_PASSWORD}, format="json")
    assert old.status_code == 400


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"old_password": "wrong-password"}, "原密码错误"),
        ({"password": "short", "password2": "short"}, "密码最少8位，最长20位"),
        ({"password": "x" * 21, "password2": "x" * 21}, "密码最少8位，最长20位"),
        ({"password2": "something-else"}, "两次密码不一致"),
        ({"password": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD}, "新密码不能与原密码相同"),
        ({"old_password": None}, None),
        ({"password": 12345678901}, None),
    ],
)
def test_bad_change_is_400_with_a_message(auth_client, user, overrides, message):
    response = change(auth_client, user, **overrides)
    assert response.status_code == 400
    errors = response.json()["non_field_errors"]
    if message:
        assert errors == [message]
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_other_users_path_is_403_and_anonymous_is_401(auth_client, other_user, api_client, user):
    assert change(auth_client, other_user).status_code == 403
    other_user.refresh_from_db()
    assert other_user.check_password(DEFAULT_PASSWORD)
    assert change(api_client, user).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="JWT forged.token.value")
    assert change(api_client, user).status_code == 401


def test_alias_paths_of_other_clients(user):
    body = {"old_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert jwt_client(user).post("/password/", body, format="json").status_code == 200
    user.refresh_from_db()
    back = {"old_password": NEW_PASSWORD, "password": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD}
    client = jwt_client(user)
    assert client.put(f"/users/{user.id + 1}/resetpassword/", back, format="json").status_code == 403
    assert client.put(f"/users/{user.id}/resetpassword/", back, format="json").status_code == 200
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_token_issued_after_change_works(user, api_client):
    user.set_password(NEW_PASSWORD)
    user.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"JWT {issue_jwt(user)}")
    assert api_client.get("/user/").status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [("put", "/password/"), ("post", "/users/{id}/resetpassword/"), ("delete", "/password/")],
)
def test_an_alias_answers_only_its_clients_method(auth_client, user, method, path):
    response = getattr(auth_client, method)(path.format(id=user.id), {}, format="json")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize("method, path", [("post", "/password/"), ("put", "/users/{id}/resetpassword/")])
def test_each_alias_changes_the_password(auth_client, user, method, path):
    body = {"old_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert getattr(auth_client, method)(path.format(id=user.id), {}, format="json").status_code == 400

    assert getattr(auth_client, method)(path.format(id=user.id), body, format="json").status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
