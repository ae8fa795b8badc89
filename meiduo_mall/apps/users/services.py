"""Accounts: registration, logging in and finding a forgotten password (docs/api.md U3, L1, F1–F4)."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from rest_framework.settings import api_settings

from meiduo_mall.apps.carts.services import merge_guest_cart
from meiduo_mall.apps.coupons.services import grant_new_member_coupons
from meiduo_mall.apps.verifications.exceptions import VerificationError
from meiduo_mall.apps.verifications.services import use_sms_code

from . import login_limits
from .backends import user_for_account
from .exceptions import RegistrationRefused, TooManyFailedLogins
from .models import User
from .tokens import login_payload

# One salt per purpose: a token made for one step is worthless at any other step.
SMS_TOKEN_SALT = "meiduo.users.find_password.send_sms"
RESET_TOKEN_SALT = "meiduo.users.find_password.reset"


def new_password_problem(password, password2, user=None):
    """Why `password` cannot become the password (of `user`, or of an account about to be made), or None."""
    if password != password2:
        return "两次密码不一致"
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        return exc.messages[0]
    return None


def refuse_registration(message):
    # A refusal no single field is to blame for reads on the register page as one line.
    raise RegistrationRefused(message, errors={api_settings.NON_FIELD_ERRORS_KEY: [message]})


def register(username, password, password2, mobile, sms_code, guest_cart):
    """U3 as one rule; returns the new member and their login (log_in()).

    The input has the right shape already (serializers.RegisterSerializer). A taken username and a taken
    mobile are reported together; the SMS code is checked last, so it is spent only when everything else
    is right. Raises RegistrationRefused, with the fields at fault when there are any.
    """
    taken = {}
    if User.objects.filter(username=username).exists():
        taken["username"] = ["用户名已存在"]
    if User.objects.filter(mobile=mobile).exists():
        taken["mobile"] = ["手机号已存在"]
    if taken:
        raise RegistrationRefused(next(iter(taken.values()))[0], errors=taken)
    problem = new_password_problem(password, password2)
    if problem:
        refuse_registration(problem)
    try:
        use_sms_code(mobile, sms_code)
    except VerificationError as exc:
        refuse_registration(exc.message)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, mobile=mobile)
    except IntegrityError:
        # Someone registered the same username or mobile between the checks and the insert.
        refuse_registration("用户名或手机号已被注册")
    grant_new_member_coupons(user)
    return user, log_in(user, guest_cart)


def authenticate_by_password(request, account, password):
    """L1's check: the member whose username or mobile is `account`, if `password` is theirs, else None.

    Every failure counts towards the login limits (login_limits); while they hold this client back from
    this account, the password is not even checked and TooManyFailedLogins says how long to wait. A
    success starts the client's count on this account again.
    """
    credentials = {"username": account}
    with login_limits.one_try_at_a_time(request, credentials):
        user = authenticate(request, username=account, password=password)
        if user is None:
            wait = login_limits.seconds_locked(request, credentials)
            if wait:
                raise TooManyFailedLogins(wait)
            return None
        login_limits.login_succeeded(request, user)
    return user


def log_in(user, guest_cart):
    """What every login ends with (password, QQ, registration): the member's token payload, and the
    guest's cart moved into theirs. The guest cart is left empty; the view's response carries that
    (guest_cart.save(response) drops the cookie); with Redis failing, the guest's cart stays."""
    if merge_guest_cart(guest_cart, user):
        guest_cart.clear()
    return login_payload(user)


def find_account(account):
    """The user whose username or mobile is `account`, or None."""
    return user_for_account(account)


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
