from django_redis import get_redis_connection
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse_rate(rate):
    """ "20/min" → (20, 60), as DRF reads its throttle rates."""
    count, period = rate.split("/")
    return int(count), DURATIONS[period[0]]


class FailedLoginLimiter:
    """Failed logins per client IP and per account, counted in Redis over a fixed window.

    Only failures count, so shoppers behind one NAT address do not lock each other out by
    logging in. Rates are REST_FRAMEWORK DEFAULT_THROTTLE_RATES `login_ip` and `login_account`.
    """

    def __init__(self, request):
        self.redis = get_redis_connection("default")
        self.windows = {f"login_fails_ip_{BaseThrottle().get_ident(request)}": _parse_rate(self._rate("login_ip"))}
        account = request.data.get("username") if hasattr(request.data, "get") else None
        if isinstance(account, str) and account.strip():
            key = f"login_fails_account_{account.strip().lower()[:150]}"
            self.windows[key] = _parse_rate(self._rate("login_account"))

    @staticmethod
    def _rate(scope):
        return api_settings.DEFAULT_THROTTLE_RATES[scope]

    def retry_after(self):
        """Seconds until a login may be tried again, or 0 when it may be tried now."""
        keys = list(self.windows)
        counts = self.redis.mget(keys)
        waits = [
            max(self.redis.ttl(key), 1)
            for key, count in zip(keys, counts, strict=True)
            if count is not None and int(count) >= self.windows[key][0]
        ]
        return max(waits, default=0)

    def record_failure(self):
        with self.redis.pipeline() as pipe:
            for key, (_, seconds) in self.windows.items():
                pipe.set(key, 0, ex=seconds, nx=True)
                pipe.incr(key)
            pipe.execute()

    def forget_account_failures(self):
        account_keys = [key for key in self.windows if key.startswith("login_fails_account_")]
        if account_keys:
            self.redis.delete(*account_keys)
