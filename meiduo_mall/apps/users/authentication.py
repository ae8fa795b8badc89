"""Member authentication: the identity comes from the verified JWT, the user's row only when it is needed.

A member request costs no SQL and no unpickled User: the token's id and username make the request's user, and
the one per-request check, the revocation below, reads a short string from Redis.
"""

import logging
import time
import types

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django_redis import get_redis_connection
from redis.exceptions import RedisError
from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from meiduo_mall.utils.redis_breaker import log_worked_around

from .models import User

logger = logging.getLogger("meiduo")

FINGERPRINT_CACHE_SECONDS = 300
# Tokens whose signature and claims this process has checked; a bound on memory, not a policy.
VERIFIED_TOKENS_MAX = 10_000
TOKEN_USERNAME_CLAIM = "username"
INACTIVE = ""
# What the fingerprint is made of: a save naming neither leaves it as it is.
FINGERPRINT_FIELDS = frozenset({"password", "is_active"})

_verified_tokens = {}


def _fingerprint_key(user_id):
    return f"auth_fingerprint_{user_id}"


def member_fingerprint(user_id):
    """The password fingerprint tokens of this member must carry, INACTIVE for a deactivated account, None for
    no such user. From Redis when it answers, else from the database: losing Redis does not stop logins.

    A plain string on the default alias's connection: the cache API's key versioning and pickling cost more
    than the read itself on every member request.
    """
    key = _fingerprint_key(user_id)
    try:
        client = get_redis_connection("default")
        fingerprint = client.get(key)
    except RedisError as exc:
        log_worked_around("member fingerprint read from the database, Redis failed: %s", exc)
        client = fingerprint = None
    if fingerprint is not None:
        return fingerprint.decode()
    row = User.objects.filter(pk=user_id).values_list("password", "is_active").first()
    if row is None:
        return None
    password, is_active = row
    fingerprint = get_md5_hash_password(password) if is_active else INACTIVE
    if client is not None:
        try:
            client.set(key, fingerprint, ex=FINGERPRINT_CACHE_SECONDS)
        except RedisError as exc:
            log_worked_around("member fingerprint not cached: %s", exc)
    return fingerprint


@receiver(pre_save, sender=User)
@receiver(pre_delete, sender=User)
def forget_member_fingerprint(sender, instance, update_fields=None, **kwargs):
    """Drop the cached fingerprint before a change of it is written: when Redis cannot drop it, the change is
    refused (the RedisError answers 503) rather than written while the tokens it revokes keep working.

    A save of other fields (the default address, the email) leaves the fingerprint alone, so it works with Redis
    down, as does creating a member, who has nothing cached yet.
    """
    if instance._state.adding or (update_fields is not None and FINGERPRINT_FIELDS.isdisjoint(update_fields)):
        return
    key = _fingerprint_key(instance.pk)
    client = get_redis_connection("default")
    client.delete(key)
    # A request that read the old row before this transaction commits may cache it again meanwhile.
    transaction.on_commit(lambda: forget_again(client, key))


def forget_again(client, key):
    try:
        client.delete(key)
    except RedisError as exc:
        # Deleted once already; only a request racing the commit can have cached the old row since.
        logger.warning("member fingerprint not dropped again after the change: %s", exc)


def _load_whole_row(user, using=None, fields=None, from_queryset=None):
    """The first attribute beyond the token's claims loads every other column in one query, not one each."""
    del user.__dict__["refresh_from_db"]
    if fields is not None:
        fields = {*fields, *user.get_deferred_fields()}
    User.refresh_from_db(user, using=using, fields=fields, from_queryset=from_queryset)


def token_member(user_id, username=None):
    """A real User (usable in queries and as a foreign key) holding what the verified token says: id and
    username; is_active was just checked. Any other field loads the row, once."""
    known = {"id": user_id, "is_active": True}
    if username is not None:
        known["username"] = username
    names = [field.attname for field in User._meta.concrete_fields if field.attname in known]
    user = User.from_db(DEFAULT_DB_ALIAS, names, [known[name] for name in names])
    user.refresh_from_db = types.MethodType(_load_whole_row, user)
    return user


class JWTAuthentication(SimpleJWTAuthentication):
    """simplejwt's authentication (`JWT` or `Bearer` prefix) without loading the member.

    Tokens carry a fingerprint of the password hash, so changing the password revokes every token issued
    before the change; deactivating the account or deleting it does too. That check runs on every request.
    """

    def get_validated_token(self, raw_token):
        # A token's signature and claims check out the same way every time, so each is verified once per
        # process; only its expiry is looked at again.
        token = _verified_tokens.get(raw_token)
        if token is not None and token["exp"] > time.time():
            return token
        token = super().get_validated_token(raw_token)
        if len(_verified_tokens) >= VERIFIED_TOKENS_MAX:
            _verified_tokens.clear()
        _verified_tokens[raw_token] = token
        return token

    def get_user(self, validated_token):
        try:
            user_id = User._meta.pk.to_python(validated_token.get(api_settings.USER_ID_CLAIM))
        except ValidationError:
            user_id = None
        if user_id is None:
            raise InvalidToken("令牌中没有用户信息")
        fingerprint = member_fingerprint(user_id)
        if not fingerprint:
            raise AuthenticationFailed("用户不存在或已停用", code="user_not_found")
        if validated_token.get(api_settings.REVOKE_TOKEN_CLAIM) != fingerprint:
            raise AuthenticationFailed("密码已修改，请重新登录", code="password_changed")
        return token_member(user_id, validated_token.get(TOKEN_USERNAME_CLAIM))
