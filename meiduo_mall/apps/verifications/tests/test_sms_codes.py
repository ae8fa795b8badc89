import pytest
from django_redis import get_redis_connection

from meiduo_mall.apps.verifications.exceptions import VerificationError
from meiduo_mall.apps.verifications.services import use_sms_code
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend

MOBILE = "13812345678"
UUID = "0f1e2d3c-4b5a-4968-8776-655443322110"


@pytest.fixture
def redis():
    return get_redis_connection("verify_codes")


def stored_code(redis, mobile=MOBILE):
    value = redis.get(f"sms_{mobile}")
    return value.decode() if value is not None else None


def captcha_text(api_client, redis, image_code_id=UUID):
    api_client.get(f"/image_codes/{image_code_id}/")
    return redis.get(f"img_{image_code_id}").decode()


def test_var_b_stores_the_code_sets_the_flag_and_sends_it(api_client, redis):
    response = api_client.get(f"/sms_codes/{MOBILE}/")

    assert response.status_code == 200
    assert response.json() == {"message": "OK"}
    code = stored_code(redis)
    assert len(code) == 6 and code.isdigit()
    assert 290 <= redis.ttl(f"sms_{MOBILE}") <= 300
    assert 50 <= redis.ttl(f"send_flag_{MOBILE}") <= 60
    assert RecordingSMSBackend.outbox() == [{"mobile": MOBILE, "code": code, "expires_minutes": 5}]


def test_resend_within_60_seconds_is_refused_and_changes_nothing(api_client, redis):
    api_client.get(f"/sms_codes/{MOBILE}/")
    code = stored_code(redis)

    response = api_client.get(f"/sms_codes/{MOBILE}/")

    assert response.status_code == 400
    assert response.json()["message"] == "发送短信过于频繁"
    assert stored_code(redis) == code
    assert len(RecordingSMSBackend.outbox()) == 1


def test_var_a_sends_after_the_right_captcha(api_client, redis):
    text = captcha_text(api_client, redis)

    response = api_client.get(f"/sms_codes/{MOBILE}/", {"text": text.lower(), "image_code_id": UUID})

    assert response.status_code == 200
    assert stored_code(redis) is not None
    assert redis.get(f"img_{UUID}") is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"text": "????", "image_code_id": UUID}, "图片验证码错误"),
        ({"text": "ABCD", "image_code_id": "someone-elses-uuid"}, "图片验证码无效"),
        ({"text": "ABCD"}, "缺少图片验证码编号"),
        ({"image_code_id": UUID}, "请输入图片验证码"),
        ({"text": "A" * 500, "image_code_id": UUID}, None),
    ],
)
def test_var_a_wrong_or_missing_captcha_is_refused(api_client, redis, params, message):
    captcha_text(api_client, redis)

    response = api_client.get(f"/sms_codes/{MOBILE}/", params)

    assert response.status_code == 400
    body = response.json()
    assert body["non_field_errors"] == [body["message"]]
    if message:
        assert body["message"] == message
    assert stored_code(redis) is None
    assert redis.get(f"send_flag_{MOBILE}") is None
    assert RecordingSMSBackend.outbox() == []


def test_var_a_captcha_cannot_be_reused(api_client, redis):
    text = captcha_text(api_client, redis)
    assert api_client.get(f"/sms_codes/{MOBILE}/", {"text": text, "image_code_id": UUID}).status_code == 200

    response = api_client.get("/sms_codes/13900000000/", {"text": text, "image_code_id": UUID})

    assert response.status_code == 400
    assert response.json()["message"] == "图片验证码无效"
    assert stored_code(redis, "13900000000") is None


@pytest.mark.parametrize("mobile", ["12812345678", "1381234567", "138123456789", "abc"])
def test_malformed_mobile_is_not_found(api_client, redis, mobile):
    assert api_client.get(f"/sms_codes/{mobile}/").status_code == 404
    assert redis.keys("sms_*") == []


def test_at_most_ten_sends_per_mobile_a_day(api_client, redis, settings):
    for _ in range(settings.SMS_DAILY_LIMIT_PER_MOBILE):
        assert api_client.get(f"/sms_codes/{MOBILE}/").status_code == 200
        redis.delete(f"send_flag_{MOBILE}")  # as if the minute had passed

    response = api_client.get(f"/sms_codes/{MOBILE}/")

    assert response.status_code == 400
    assert response.json()["message"] == "该手机号今日获取验证码次数已达上限"
    assert len(RecordingSMSBackend.outbox()) == settings.SMS_DAILY_LIMIT_PER_MOBILE
    assert 86000 < redis.ttl(f"sms_count_mobile_{MOBILE}") <= 86400


def test_at_most_twenty_sends_per_client_an_hour(api_client, redis, settings):
    limit = settings.SMS_HOURLY_LIMIT_PER_IP
    for n in range(limit):
        assert api_client.get(f"/sms_codes/138000000{n:02d}/").status_code == 200

    response = api_client.get("/sms_codes/13912345678/")

    assert response.status_code == 400
    assert response.json()["message"] == "获取验证码过于频繁，请稍后再试"
    assert stored_code(redis, "13912345678") is None
    other_client = api_client.get("/sms_codes/13912345678/", REMOTE_ADDR="10.0.0.2")
    assert other_client.status_code == 200


def test_right_code_is_accepted_once(api_client, redis):
    api_client.get(f"/sms_codes/{MOBILE}/")
    code = stored_code(redis)

    use_sms_code(MOBILE, code)

    with pytest.raises(VerificationError, match="无效的短信验证码"):
        use_sms_code(MOBILE, code)


def test_fifth_wrong_guess_deletes_the_code(api_client, redis, settings):
    api_client.get(f"/sms_codes/{MOBILE}/")
    code = stored_code(redis)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    for _ in range(settings.SMS_MAX_WRONG_GUESSES - 1):
        with pytest.raises(VerificationError, match="短信验证码错误"):
            use_sms_code(MOBILE, wrong)
    assert stored_code(redis) == code
    with pytest.raises(VerificationError, match="短信验证码错误"):
        use_sms_code(MOBILE, wrong)

    assert stored_code(redis) is None
    with pytest.raises(VerificationError, match="无效的短信验证码"):
        use_sms_code(MOBILE, code)


def test_a_new_code_forgets_earlier_wrong_guesses(api_client, redis):
    api_client.get(f"/sms_codes/{MOBILE}/")
    for _ in range(4):
        with pytest.raises(VerificationError):
            use_sms_code(MOBILE, "x")
    redis.delete(f"send_flag_{MOBILE}")
    api_client.get(f"/sms_codes/{MOBILE}/")

    with pytest.raises(VerificationError, match="短信验证码错误"):
        use_sms_code(MOBILE, "x")
    assert stored_code(redis) is not None
