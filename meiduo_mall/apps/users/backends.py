from django.contrib.auth.backends import ModelBackend

from meiduo_mall.utils.mobile import is_mobile

from .models import User


class UsernameMobileBackend(ModelBackend):
    """Log in with either the username or the mobile number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        field = "mobile" if is_mobile(username) else "username"
        user = User.objects.filter(**{field: username}).first()
        if user is None:
            # Spend the hashing time anyway, so timing does not tell which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
