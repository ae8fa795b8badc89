from rest_framework import status

from meiduo_mall.utils.exceptions import NotFoundError, ShopError


class RegistrationRefused(ShopError):
    """A registration the account rules refuse (services.register); `errors` names the fields at fault."""


class AccountNotFound(NotFoundError):
    """No account has that username or mobile (find password)."""


class LinkExpired(ShopError):
    """A signed token of the find-password steps that no longer verifies."""


class NotOwnAccount(ShopError):
    status_code = status.HTTP_403_FORBIDDEN
    message = "只能修改自己的密码"


class TooManyFailedLogins(ShopError):
    """The login limits hold this client back from the account (login_limits); Retry-After says how long."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, wait_seconds):
        if wait_seconds > 3600:
            wait = f"{(wait_seconds + 3599) // 3600}小时"
        else:
            wait = f"{(wait_seconds + 59) // 60}分钟"
        super().__init__(f"登录失败次数过多，请{wait}后再试", headers={"Retry-After": str(wait_seconds)})


class EmailVerificationFailed(ShopError):
    """The link of the verification mail is missing, expired, forged or for an address since changed."""


class AddressLimitReached(ShopError):
    message = "保存地址数据已达到上限"
