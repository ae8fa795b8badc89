"""Accounts: registration and finding a forgotten password (API.md §3.1, §3.4)."""

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from .backends import MOBILE_RE
from .models import User

# One salt per purpose: a token made for one step is worthless at any other step.
SMS_TOKEN_SALT = "meiduo.users.find_password.send_sms"
RESET_TOKEN_SALT = "meiduo.users.find_password.reset"


class AccountTaken(Exception):
    """The username or the mobile was registered by someone else in the meantime."""


def register_user(username, password, mobile):
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, password=password, mobile=mobile)
    except IntegrityError:
        raise AccountTaken from None


def find_account(account):
    """The user whose username or mobile is `account`, or None."""
    field = "mobile" if MOBILE_RE.match(account) else "username"
    return User.objects.filter(**{field: account}).first()


def mask_mobile(mobile):
    return f"{mobile[:3]}****{mobile[-4:]}"


def make_sms_token(user):
    """Step F1 → F2: the captcha was solved for this account; carries the user id, not the mobile."""
    return signing.dumps({"user_id": user.id}, salt=SMS_TOKEN_SALT)


def user_from_sms_token(token):
    payload = _load(token, SMS_TOKEN_SALT)
    return User.objects.filter(pk=payload.get("user_id")).first() if payload else None


def _password_fingerprint(user):
    return salted_hmac(RESET_TOKEN_SALT, user.password).hexdigest()[:20]


def make_reset_token(user):
    """Step F3 → F4: the SMS code was right. The token dies with the password it replaces."""
    return signing.dumps({"user_id": user.id, "pwd": _password_fingerprint(user)}, salt=RESET_TOKEN_SALT)


def reset_password(user_id, token, new_password):
    """Set a new password if `token` was issued for this user and their current password; else False."""
    payload = _load(token, RESET_TOKEN_SALT)
    if not payload or payload.get("user_id") != user_id:
        return False
    user = User.objects.filter(pk=user_id).first()
    if user is None or not constant_time_compare(payload.get("pwd", ""), _password_fingerprint(user)):
        return False
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return True


def _load(token, salt):
    try:
        payload = signing.loads(token, salt=salt, max_age=settings.ACCESS_TOKEN_EXPIRES)
    except signing.BadSignature:
        return None
    return payload if isinstance(payload, dict) else None
