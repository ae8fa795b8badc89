"""E-mail verification (docs/api.md C2, C3): save the address, mail a signed link, activate on return."""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.utils.html import format_html

from meiduo_mall.utils.tasks import enqueue_after_commit

from .exceptions import EmailVerificationFailed
from .models import User

# Own salt: a token signed for another purpose (find-password, QQ binding) never verifies an email.
VERIFY_EMAIL_SALT = "meiduo.users.verify_email"
VERIFY_EMAIL_SUBJECT = "美多商城邮箱验证"


def make_verify_url(user, pages_origin=None):
    token = signing.dumps({"user_id": user.id, "email": user.email}, salt=VERIFY_EMAIL_SALT)
    origin = pages_origin or settings.FRONTEND_ORIGIN
    return f"{origin}/success_verify_email.html?{urlencode({'token': token})}"


def change_email(user, email, pages_origin=None):
    """Save the address and mail the link once the change is committed.

    A new address starts unverified; saving the same address again only re-sends the link.
    The link leads to `pages_origin` (the pages the request came from, see utils.origins): it is
    built here, in the request, because the Celery task that mails it later has no request.
    """
    if email != user.email:
        user.email = email
        user.email_active = False
        user.save(update_fields=["email", "email_active"])
    # The address is saved either way; a mail server hiccup must not turn the save into a 500.
    enqueue_after_commit("send_verify_email", email, make_verify_url(user, pages_origin))


def send_verify_email(to_email, verify_url):
    """The HTML mail with the link that activates `to_email`; the task of the same name sends it."""
    html = format_html(
        "<p>尊敬的用户您好！</p>"
        "<p>感谢您使用美多商城。</p>"
        "<p>您的邮箱为：{}。请点击此链接激活您的邮箱（24小时内有效）：</p>"
        '<p><a href="{}">{}</a></p>',
        to_email,
        verify_url,
        verify_url,
    )
    text = f"您的邮箱为：{to_email}。请打开此链接激活您的邮箱（24小时内有效）：{verify_url}"
    send_mail(VERIFY_EMAIL_SUBJECT, text, settings.EMAIL_FROM, [to_email], html_message=html)


def verify_email(token):
    """Activate the address the token was issued for; it must still be the user's current address."""
    try:
        payload = signing.loads(token, salt=VERIFY_EMAIL_SALT, max_age=settings.VERIFY_EMAIL_TOKEN_EXPIRES)
    except signing.SignatureExpired:
        raise EmailVerificationFailed("验证链接已过期，请重新发送验证邮件") from None
    except signing.BadSignature:
        raise EmailVerificationFailed("验证链接无效") from None
    if not isinstance(payload, dict):
        raise EmailVerificationFailed("验证链接无效")
    user = User.objects.filter(pk=payload.get("user_id"), email=payload.get("email")).first()
    if user is None or not user.email:
        raise EmailVerificationFailed("验证链接已失效，邮箱已更改")
    if not user.email_active:
        user.email_active = True
        user.save(update_fields=["email_active"])
    return user
