"""Failed password logins: how many a client may make and how long it then waits, on top of django-axes.

Axes hears of every login that fails through django.contrib.auth.authenticate() (the shop's L1 and the back
office's form) and records it in the database, one AccessAttempt row per account, client IP and user agent, so
the limits hold while Redis is down. This module decides from those rows, by the counters of
settings.LOGIN_LIMITS: one per (client IP, account) and one per client IP. None counts an account alone: a
stranger failing from another address must never lock the owner out. A counter that reaches its limit makes
the client wait, twice as long after each further failure; tries made while waiting are refused unchecked
and not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the wait grows with the guesses that
were really checked.

Axes checks a counter before the password and records the failure after it, so tries arriving at the same
instant would all pass a counter one below its limit; one_try_at_a_time() makes the tries on one account from
one address take turns, each seeing the failures of the one before.
"""

import hashlib
import math
from contextlib import contextmanager
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_credentials
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.db.models import Max, Sum
from django.dispatch import Signal
from django.http import JsonResponse
from django.template.response import SimpleTemplateResponse

from .backends import user_for_account
from .exceptions import TooManyFailedLogins

# Sent once a login try holds its turn on its (client IP, account), before the password is checked.
login_try_started = Signal()
# How long a try waits for the one before it (each holds its turn for one password check).
TURN_WAIT_SECONDS = 5


def account_of(request, credentials):
    """AXES_USERNAME_CALLABLE: the account a login names, as axes counts it. The username of the member the
    credential belongs to, so that failures by username and by mobile add up on one account (and "Demo" is
    "demo", as MariaDB compares them); a name no member has, folded to lower case."""
    typed = (credentials or {}).get("username")
    if not isinstance(typed, str) or not typed.strip():
        return None
    typed = typed.strip()
    # Axes asks several times per login; one lookup per request and credential.
    known = request.__dict__.setdefault("login_accounts", {})
    if typed not in known:
        user = user_for_account(typed)
        known[typed] = user.username if user else typed.lower()
    return known[typed]


def lock_seconds(failures, rule):
    """How long a counter of `failures` makes the client wait after its latest failure (0: not at all)."""
    if failures < rule["limit"]:
        return 0
    # The exponent is bounded: 2**40 first waits are past any max_wait, and a huge count stays cheap.
    return min(rule["first_wait"] * 2 ** min(failures - rule["limit"], 40), rule["max_wait"])


class LoginLimitsHandler(AxesDatabaseHandler):
    """Axes' database handler with the shop's counters: a limit and a growing wait per counter, where axes'
    own lock compares every counter with one limit and then waits one fixed cool-off (switched off:
    AXES_LOCK_OUT_AT_FAILURE)."""

    def seconds_locked(self, request, credentials=None):
        """Seconds until this client may try this account again; 0 when it may now."""
        now = request.axes_attempt_time
        values = {"username": get_client_username(request, credentials), "ip_address": request.axes_ip_address}
        waits = [0]
        for rule in settings.LOGIN_LIMITS:
            counted = AccessAttempt.objects.filter(
                attempt_time__gt=now - timedelta(seconds=rule["forget_after"]),
                **{parameter: values[parameter] for parameter in rule["parameters"]},
            ).aggregate(failures=Sum("failures_since_start"), latest=Max("attempt_time"))
            wait = lock_seconds(counted["failures"] or 0, rule)
            if wait:
                ends = counted["latest"] + timedelta(seconds=wait)
                waits.append(math.ceil((ends - now).total_seconds()))
        return max(waits)

    def is_locked(self, request, credentials=None):
        return self.seconds_locked(request, credentials) > 0

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None:
            # AxesMiddleware answers the back office's login page with lockout_response() when this is set.
            request.axes_locked_out = self.is_locked(request, credentials)
            request.axes_credentials = credentials

    def reset_user_attempts(self, request, credentials=None):
        """After a successful login (AXES_RESET_ON_SUCCESS): the (client IP, account) counter only. That one
        address knew one password says nothing about the other accounts tried from it."""
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address
        ).delete()
        return count


@contextmanager
def one_try_at_a_time(request, credentials):
    """Holds this client's turn on the account of `credentials` (a MariaDB named lock, per connection) around a
    login try. A try that cannot get its turn within TURN_WAIT_SECONDS is refused like one over the limits: only
    many tries at once on one account from one address queue that long. The embedded demo's SQLite has no named
    locks and runs without turns."""
    if connection.vendor != "mysql":
        yield
        return
    AxesProxyHandler.update_request(request)
    key = f"{request.axes_ip_address} {get_client_username(request, credentials)}"
    name = f"meiduo_login_{hashlib.sha1(key.encode()).hexdigest()}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK(%s, %s)", [name, TURN_WAIT_SECONDS])
        if cursor.fetchone()[0] != 1:
            raise TooManyFailedLogins(TURN_WAIT_SECONDS)
        try:
            login_try_started.send(sender=None, request=request)
            yield
        finally:
            cursor.execute("SELECT RELEASE_LOCK(%s)", [name])


def seconds_locked(request, credentials):
    """Seconds this client must wait before trying the account of `credentials` again; 0 when it may now."""
    AxesProxyHandler.update_request(request)
    return AxesProxyHandler.get_implementation().seconds_locked(request, credentials)


def login_succeeded(request, user):
    """Tell axes of a login that never goes through django.contrib.auth.login() (the shop's JWT logins), so the
    counter of this client and account starts again. Django's user_logged_in signal is not sent for them: its
    other receiver writes last_login, which JWT logins leave alone (SIMPLE_JWT UPDATE_LAST_LOGIN)."""
    AxesProxyHandler.user_logged_in(None, request, user)


def lockout_response(request, original_response, credentials):
    """AXES_LOCKOUT_CALLABLE: what axes' middleware answers when a login through a Django form (the back office)
    hit the limits. The login page itself, whose form says why in Chinese (admin_login.AdminLoginForm), as a
    429 with Retry-After; anything else a JSON 429 like the shop's."""
    wait = max(seconds_locked(request, credentials or get_credentials(None)), 1)
    if isinstance(original_response, SimpleTemplateResponse):
        response = original_response
        response.status_code = TooManyFailedLogins.status_code
    else:
        response = JsonResponse({"message": TooManyFailedLogins(wait).message}, status=TooManyFailedLogins.status_code)
    response["Retry-After"] = str(wait)
    return response
