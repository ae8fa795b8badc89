from django.contrib.auth.backends import ModelBackend

from meiduo_mall.utils.mobile import is_mobile

from .models import User


def user_for_account(account):
    """The user whose username or mobile is `account`, or None."""
    field = "mobile" if is_mobile(account) else "username"
    return User.objects.filter(**{field: account}).first()


class UsernameMobileBackend(ModelBackend):
    """Log in with either the username or the mobile number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = user_for_account(username)
        if user is None:
            # Spend the hashing time anyway, so timing does not tell which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
