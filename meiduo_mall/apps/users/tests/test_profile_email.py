import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import signing

from meiduo_mall.apps.users.email_verification import VERIFY_EMAIL_SALT, make_verify_url

pytestmark = pytest.mark.django_db


def link_in(message):
    html = message.get_body(("html",)).get_content()
    return unescape(re.search(r'href="([^"]+)"', html).group(1))


def token_of(url):
    return parse_qs(urlparse(url).query)["token"][0]


def put_email(client, email, capture):
    with capture(execute=True):
        return client.put("/email/", {"email": email}, format="json")


def test_profile(auth_client, user):
    assert auth_client.get("/user/").json() == {
        "id": user.id,
        "username": user.username,
        "mobile": user.mobile,
        "email": user.email,
        "email_active": False,
    }


@pytest.mark.parametrize("header", [None, "JWT undefined", "JWT not.a.token"])
def test_profile_needs_a_valid_token(api_client, header):
    if header:
        api_client.credentials(HTTP_AUTHORIZATION=header)
    assert api_client.get("/user/").status_code == 401
    assert api_client.put("/email/", {"email": "a@b.cn"}, format="json").status_code == 401


def test_set_email_mails_a_link_that_verifies_it(
    auth_client, user, mailbox, settings, api_client, django_capture_on_commit_callbacks
):
    response = put_email(auth_client, "new@meiduo.site", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response.json() == {"id": user.id, "email": "new@meiduo.site"}

    [message] = mailbox.messages
    assert message["Subject"] == "美多商城邮箱验证"
    assert message["To"] == "new@meiduo.site"
    url = link_in(message)
    assert url.startswith(f"{settings.FRONTEND_ORIGIN}/success_verify_email.html?token=")
    user.refresh_from_db()
    assert user.email == "new@meiduo.site" and not user.email_active

    response = api_client.get("/emails/verification/", {"token": token_of(url)})
    assert response.status_code == 200 and response.json() == {"message": "OK"}
    user.refresh_from_db()
    assert user.email_active
    assert auth_client.get("/user/").json()["email_active"] is True


def test_emails_alias_and_resend_keep_state(auth_client, user, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert auth_client.put("/emails/", {"email": user.email}, format="json").status_code == 200
    assert len(mailbox.messages) == 1
    user.refresh_from_db()
    assert user.email_active is False


@pytest.mark.parametrize(
    "body", [{}, {"email": ""}, {"email": "no-at-sign"}, {"email": "a@" + "b" * 300 + ".cn"}, {"email": ["a@b.cn"]}]
)
def test_bad_email_is_400_and_changes_nothing(auth_client, user, body, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.put("/email/", body, format="json")
    assert response.status_code == 400
    assert response.json()["message"]
    user.refresh_from_db()
    assert user.email.endswith("@example.com")
    assert mailbox.messages == []


def test_stale_token_after_email_change_is_refused(auth_client, user, api_client):
    stale = token_of(make_verify_url(user))
    user.email = "changed@meiduo.site"
    user.save()
    response = api_client.get("/emails/verification/", {"token": stale})
    assert response.status_code == 400 and response.json()["message"]
    user.refresh_from_db()
    assert not user.email_active


def test_expired_forged_and_foreign_tokens_are_refused(user, api_client, settings):
    good = token_of(make_verify_url(user))
    settings.VERIFY_EMAIL_TOKEN_EXPIRES = -1
    assert api_client.get("/emails/verification/", {"token": good}).status_code == 400
    settings.VERIFY_EMAIL_TOKEN_EXPIRES = 24 * 3600

    payload = {"user_id": user.id, "email": user.email}
    forged = [
        "",
        "garbage",
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        signing.dumps(payload, salt="meiduo.users.find_password.reset"),
        signing.dumps(payload, salt=VERIFY_EMAIL_SALT, key="not-our-secret-key-0123456789"),
        signing.dumps(["not", "a", "dict"], salt=VERIFY_EMAIL_SALT),
    ]
    for token in forged:
        response = api_client.get("/emails/verification/", {"token": token})
        assert response.status_code == 400, token
        assert response.json()["message"]
    assert api_client.get("/emails/verification/").status_code == 400
    user.refresh_from_db()
    assert not user.email_active
