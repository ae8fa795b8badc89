"""Image captcha and SMS codes, kept in the Redis alias `verify_codes` (docs/api.md V1, V2)."""

import secrets

from captcha.image import ImageCaptcha
from django.conf import settings
from django_redis import get_redis_connection
from redis.exceptions import WatchError

from meiduo_mall.utils.tasks import TaskQueueUnavailable, enqueue

from .exceptions import SMSUnavailable, VerificationError
from .sms import get_sms_backend

# No 0/O, 1/I/L: the shopper has to read these off a distorted image.
CAPTCHA_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXY3456789"
CAPTCHA_LENGTH = 4
SMS_CODE_DAILY_SECONDS = 24 * 3600
SMS_CODE_IP_SECONDS = 3600

_captcha = ImageCaptcha(width=120, height=40, font_sizes=(30, 32, 34))


def _redis():
    return get_redis_connection("verify_codes")


def create_image_code(image_code_id):
    """Store a fresh captcha text under img_<id> and return its JPEG image."""
    text = "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(CAPTCHA_LENGTH))
    _redis().set(f"img_{image_code_id}", text, ex=settings.IMAGE_CODE_REDIS_EXPIRES)
    return _captcha.generate(text, format="jpeg").getvalue()


def check_image_code(image_code_id, text):
    """Compare case-insensitively. The code is deleted by the first check, right or wrong."""
    stored = _redis().getdel(f"img_{image_code_id}")
    if stored is None:
        raise VerificationError("图片验证码无效")
    if stored.decode().lower() != text.strip().lower():
        raise VerificationError("图片验证码错误")


def issue_sms_code(mobile, client_ip):
    """Store a new 6-digit code for `mobile` and queue its SMS.

    Refused while the 60-second flag stands, after SMS_DAILY_LIMIT_PER_MOBILE sends to the mobile
    in a day, and after SMS_HOURLY_LIMIT_PER_IP sends from one client in an hour. The checks and
    the writes form one WATCH/MULTI transaction, so two simultaneous requests cannot both pass.
    """
    flag_key = f"send_flag_{mobile}"
    mobile_count_key = f"sms_count_mobile_{mobile}"
    ip_count_key = f"sms_count_ip_{client_ip}"
    code = f"{secrets.randbelow(10**6):06d}"
    with _redis().pipeline() as pipe:
        try:
            pipe.watch(flag_key, mobile_count_key, ip_count_key)
            if pipe.exists(flag_key):
                raise VerificationError("发送短信过于频繁")
            if int(pipe.get(mobile_count_key) or 0) >= settings.SMS_DAILY_LIMIT_PER_MOBILE:
                raise VerificationError("该手机号今日获取验证码次数已达上限")
            if int(pipe.get(ip_count_key) or 0) >= settings.SMS_HOURLY_LIMIT_PER_IP:
                raise VerificationError("获取验证码过于频繁，请稍后再试")
            pipe.multi()
            pipe.set(f"sms_{mobile}", code, ex=settings.SMS_CODE_REDIS_EXPIRES)
            pipe.set(flag_key, 1, ex=settings.SEND_SMS_CODE_INTERVAL)
            pipe.delete(f"sms_fails_{mobile}")
            # SET NX starts a counter's window once; INCR then keeps its TTL.
            pipe.set(mobile_count_key, 0, ex=SMS_CODE_DAILY_SECONDS, nx=True)
            pipe.incr(mobile_count_key)
            pipe.set(ip_count_key, 0, ex=SMS_CODE_IP_SECONDS, nx=True)
            pipe.incr(ip_count_key)
            pipe.execute()
        except WatchError:
            raise VerificationError("发送短信过于频繁") from None
    # Nothing waits for a commit here: the code is in Redis already.
    try:
        enqueue("send_sms_code", mobile, code)
    except TaskQueueUnavailable as exc:
        _withdraw_sms_code(mobile, client_ip)
        raise SMSUnavailable(exc.reason) from exc


def _withdraw_sms_code(mobile, client_ip):
    """Undo issue_sms_code's writes when its SMS could not be queued: no SMS goes out, so the shopper may ask
    again at once and the send is not counted against the mobile's or the client's limits."""
    with _redis().pipeline() as pipe:
        pipe.delete(f"sms_{mobile}", f"send_flag_{mobile}")
        pipe.decr(f"sms_count_mobile_{mobile}")
        pipe.decr(f"sms_count_ip_{client_ip}")
        pipe.execute()


def send_sms_code(mobile, code, expires_minutes=None):
    """Send the code by the configured SMS backend; the task send_sms_code calls this, retrying SMSSendError."""
    minutes = expires_minutes or settings.SMS_CODE_REDIS_EXPIRES // 60
    get_sms_backend().send_verification_code(mobile, code, int(minutes))


def use_sms_code(mobile, code):
    """Accept the SMS code of `mobile` once.

    Wrong guesses are counted; at SMS_MAX_WRONG_GUESSES the code is deleted, so six digits
    cannot be guessed within its five minutes.
    """
    redis = _redis()
    sms_key, fails_key = f"sms_{mobile}", f"sms_fails_{mobile}"
    stored = redis.get(sms_key)
    if stored is None:
        raise VerificationError("无效的短信验证码")
    if not secrets.compare_digest(stored, str(code).encode()):
        with redis.pipeline() as pipe:
            pipe.incr(fails_key)
            pipe.expire(fails_key, settings.SMS_CODE_REDIS_EXPIRES)
            fails, _ = pipe.execute()
        if fails >= settings.SMS_MAX_WRONG_GUESSES:
            redis.delete(sms_key, fails_key)
        raise VerificationError("短信验证码错误")
    # Whoever deletes the key used the code; a simultaneous second use finds it gone.
    if not redis.delete(sms_key):
        raise VerificationError("无效的短信验证码")
    redis.delete(fails_key)
