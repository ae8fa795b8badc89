"""The back office's login form (UNFOLD["LOGIN"]["form"])."""

from axes.helpers import get_credentials
from django.core.exceptions import ValidationError
from unfold.forms import AuthenticationForm

from . import login_limits
from .exceptions import TooManyFailedLogins


class AdminLoginForm(AuthenticationForm):
    """Unfold's login form under the login limits, like the shop's L1: one try at a time per client IP and
    account, and a refusal for the limits said in Chinese. Django's own form would answer "wrong password" to
    an operator whose right password was never checked."""

    def clean(self):
        if self.request is None:
            return super().clean()
        credentials = get_credentials(self.cleaned_data.get("username"))
        try:
            with login_limits.one_try_at_a_time(self.request, credentials):
                return self.check_password(credentials)
        except TooManyFailedLogins as refused:
            raise ValidationError(refused.message, code="login_limits") from None

    def check_password(self, credentials):
        try:
            return super().clean()
        except ValidationError:
            wait = login_limits.seconds_locked(self.request, credentials)
            if wait:
                raise TooManyFailedLogins(wait) from None
            raise
