"""The back office's login form (UNFOLD["LOGIN"]["form"])."""

from axes.helpers import get_credentials
from django.core.exceptions import ValidationError
from unfold.forms import AuthenticationForm

from . import login_limits
from .exceptions import TooManyFailedLogins


class AdminLoginForm(AuthenticationForm):
    """Unfold's login form, which says so in Chinese when the login limits refuse a login: Django's own form
    would answer "wrong password" to an operator whose right password was never checked."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if self.request is None:
                raise
            wait = login_limits.seconds_locked(self.request, get_credentials(self.cleaned_data.get("username")))
            if not wait:
                raise
            raise ValidationError(TooManyFailedLogins(wait).message, code="login_limits") from None
