import pytest
from django.core import signing
from django_redis import get_redis_connection

from meiduo_mall.apps.users.services import make_reset_token, make_sms_token
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend
from tests.factories import DEFAULT_PASSWORD, UserFactory

UUID = "a1b2c3d4-e5f6-4789-8abc-def012345678"
NEW_PASSWORD = "brand-new-pass"


@pytest.fixture
def redis():
    return get_redis_connection("verify_codes")


@pytest.fixture
def shopper(db):
    return UserFactory(username="forgetful", mobile="13812341234")


def captcha(api_client, redis):
    api_client.get(f"/image_codes/{UUID}/")
    return redis.get(f"img_{UUID}").decode()


def step_one(api_client, redis, account):
    return api_client.get(
        f"/accounts/{account}/sms/token/", {"text": captcha(api_client, redis), "image_code_id": UUID}
    )


def sms_code(api_client, redis, user):
    token = make_sms_token(user)
    assert api_client.get("/sms_codes/", {"access_token": token}).status_code == 200
    return redis.get(f"sms_{user.mobile}").decode()


def reset(api_client, user_id, token, password=NEW_PASSWORD, password2=None):
    body = {"password": password, "password2": password2 or password, "access_token": token}
    return api_client.post(f"/users/{user_id}/password/", body, format="json")


@pytest.mark.django_db
def test_the_four_steps_reset_the_password(api_client, redis, shopper):
    first = step_one(api_client, redis, "forgetful")
    assert first.status_code == 200
    assert first.json()["mobile"] == "138****1234"
    assert "13812341234" not in first.content.decode()

    second = api_client.get("/sms_codes/", {"access_token": first.json()["access_token"]})
    assert second.status_code == 200 and second.json() == {"message": "OK"}
    code = RecordingSMSBackend.outbox()[0]["code"]
    assert RecordingSMSBackend.outbox()[0]["mobile"] == "13812341234"
    assert 50 <= redis.ttl("send_flag_13812341234") <= 60

    third = api_client.get("/accounts/13812341234/password/token/", {"sms_code": code})
    assert third.status_code == 200
    assert third.json()["user_id"] == shopper.id

    fourth = reset(api_client, shopper.id, third.json()["access_token"])
    assert fourth.status_code == 200
    shopper.refresh_from_db()
    assert shopper.check_password(NEW_PASSWORD)
    login = api_client.post("/authorizations/", {"username": "forgetful", "password": NEW_PASSWORD}, format="json")
    assert login.status_code == 200


@pytest.mark.django_db
def test_step_one_by_mobile(api_client, redis, shopper):
    response = step_one(api_client, redis, "13812341234")
    assert response.status_code == 200
    assert response.json()["mobile"] == "138****1234"


@pytest.mark.django_db
def test_step_one_wrong_or_missing_captcha(api_client, redis, shopper):
    captcha(api_client, redis)
    wrong = api_client.get("/accounts/forgetful/sms/token/", {"text": "????", "image_code_id": UUID})
    assert wrong.status_code == 400
    assert wrong.json()["message"] == "图片验证码错误"

    reused = api_client.get("/accounts/forgetful/sms/token/", {"text": "ABCD", "image_code_id": UUID})
    assert reused.json()["message"] == "图片验证码无效"

    missing = api_client.get("/accounts/forgetful/sms/token/")
    assert missing.status_code == 400 and missing.json()["message"]


@pytest.mark.django_db
def test_step_one_unknown_account_is_404_after_the_captcha(api_client, redis):
    response = step_one(api_client, redis, "nobody_at_all")
    assert response.status_code == 404
    assert response.json()["message"] == "用户名或手机号不存在"


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "garbage", "a" * 2000])
def test_step_two_refuses_bad_tokens(api_client, redis, token):
    response = api_client.get("/sms_codes/", {"access_token": token} if token else {})
    assert response.status_code == 400
    assert response.json()["message"]
    assert redis.keys("sms_*") == []


@pytest.mark.django_db
def test_tokens_serve_one_purpose_only(api_client, redis, shopper):
    response = api_client.get("/sms_codes/", {"access_token": make_reset_token(shopper)})
    assert response.status_code == 400
    assert reset(api_client, shopper.id, make_sms_token(shopper)).status_code == 400
    foreign = signing.dumps({"user_id": shopper.id})
    assert api_client.get("/sms_codes/", {"access_token": foreign}).status_code == 400


@pytest.mark.django_db
def test_step_two_keeps_the_60_second_rule(api_client, redis, shopper):
    token = make_sms_token(shopper)
    assert api_client.get("/sms_codes/", {"access_token": token}).status_code == 200

    again = api_client.get("/sms_codes/", {"access_token": token})

    assert again.status_code == 400
    assert again.json()["message"] == "发送短信过于频繁"
    assert len(RecordingSMSBackend.outbox()) == 1


@pytest.mark.django_db
def test_step_two_expired_token(api_client, redis, shopper, settings):
    token = make_sms_token(shopper)
    settings.ACCESS_TOKEN_EXPIRES = -1
    assert api_client.get("/sms_codes/", {"access_token": token}).status_code == 400


@pytest.mark.django_db
def test_step_three_wrong_code_then_single_use(api_client, redis, shopper):
    code = sms_code(api_client, redis, shopper)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    bad = api_client.get("/accounts/forgetful/password/token/", {"sms_code": wrong})
    assert bad.status_code == 400 and bad.json()["message"] == "短信验证码错误"
    assert api_client.get("/accounts/forgetful/password/token/", {"sms_code": code}).status_code == 200

    reused = api_client.get("/accounts/forgetful/password/token/", {"sms_code": code})
    assert reused.status_code == 400 and reused.json()["message"] == "无效的短信验证码"


@pytest.mark.django_db
def test_step_three_unknown_account(api_client):
    response = api_client.get("/accounts/13000000000/password/token/", {"sms_code": "123456"})
    assert response.status_code == 404
    assert response.json()["message"] == "手机号不存在"


@pytest.mark.django_db
def test_step_three_code_of_another_mobile_is_refused(api_client, redis, shopper):
    code = sms_code(api_client, redis, UserFactory())
    assert api_client.get("/accounts/forgetful/password/token/", {"sms_code": code}).status_code == 400


def assert_password_unchanged(user):
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_step_four_token_is_for_this_user_only(api_client, shopper):
    other = UserFactory()
    response = reset(api_client, other.id, make_reset_token(shopper))
    assert response.status_code == 400
    assert response.json()["message"]
    assert_password_unchanged(other)
    assert_password_unchanged(shopper)
    assert reset(api_client, 999999, make_reset_token(shopper)).status_code == 400


@pytest.mark.django_db
def test_step_four_token_works_once(api_client, shopper):
    token = make_reset_token(shopper)
    assert reset(api_client, shopper.id, token).status_code == 200

    again = reset(api_client, shopper.id, token, password="yet-another-pass")

    assert again.status_code == 400
    shopper.refresh_from_db()
    assert shopper.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_step_four_expired_token(api_client, shopper, settings):
    token = make_reset_token(shopper)
    settings.ACCESS_TOKEN_EXPIRES = -1
    assert reset(api_client, shopper.id, token).status_code == 400
    assert_password_unchanged(shopper)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "password2", "message"),
    [
        ("short", "short", "密码最少8位，最长20位"),
        ("long-enough-1", "long-enough-2", "两次密码不一致"),
        ("x" * 21, "x" * 21, None),
    ],
)
def test_step_four_weak_or_mismatched_password(api_client, shopper, password, password2, message):
    response = reset(api_client, shopper.id, make_reset_token(shopper), password, password2)
    assert response.status_code == 400
    if message:
        assert response.json()["message"] == message
    assert_password_unchanged(shopper)


@pytest.mark.django_db
def test_step_four_missing_token(api_client, shopper):
    response = api_client.post(
        f"/users/{shopper.id}/password/", {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert_password_unchanged(shopper)


@pytest.mark.django_db
def test_step_four_ignores_a_stale_login_token_left_in_the_browser(api_client, shopper):
    api_client.credentials(HTTP_AUTHORIZATION="JWT expired.or.forged")
    assert reset(api_client, shopper.id, make_reset_token(shopper)).status_code == 200
    shopper.refresh_from_db()
    assert shopper.check_password(NEW_PASSWORD)
