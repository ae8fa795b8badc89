"""Binding a QQ account to a shop account."""

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction

from meiduo_mall.apps.coupons.services import grant_new_member_coupons
from meiduo_mall.apps.users.models import User

from .exceptions import BindingRefused
from .models import OAuthQQUser

OPENID_TOKEN_SALT = "oauth.qq.openid"


def sign_openid(openid):
    """The opaque `access_token` the callback page carries from O2 to O3; 600 s."""
    return signing.dumps({"openid": openid}, salt=OPENID_TOKEN_SALT)


def openid_from_token(token):
    try:
        return signing.loads(token, salt=OPENID_TOKEN_SALT, max_age=settings.ACCESS_TOKEN_EXPIRES)["openid"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def user_for_openid(openid):
    binding = OAuthQQUser.objects.select_related("user").filter(openid=openid).first()
    return binding.user if binding else None


def bind_qq_user(openid, mobile, password):
    """The account with this mobile (its password must match), or a new one named after the mobile, who gets
    the new-member coupons once it is committed."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(mobile=mobile).first()
        joined = user is None
        if joined:
            if User.objects.filter(username=mobile).exists():
                raise BindingRefused("该手机号无法注册新用户")
            try:
                user = User.objects.create_user(username=mobile, password=password, mobile=mobile)
            except IntegrityError:
                raise BindingRefused("该手机号已注册，请重试") from None
        elif not user.check_password(password):
            raise BindingRefused("密码错误")
        existing = user_for_openid(openid)
        if existing is not None and existing != user:
            raise BindingRefused("该QQ已绑定其他账号")
        OAuthQQUser.objects.get_or_create(openid=openid, defaults={"user": user})
    if joined:
        grant_new_member_coupons(user)
    return user
