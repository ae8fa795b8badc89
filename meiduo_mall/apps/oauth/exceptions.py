"""What can go wrong with a QQ login, in the words the shopper sees."""

from rest_framework import status

from meiduo_mall.utils.exceptions import ShopError


class QQLoginError(ShopError):
    """Base of what a QQ login client raises: QQ login cannot serve. `reason` says why, for the log."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE

    def __init__(self, reason):
        super().__init__(reason=reason)


class QQLoginUnavailable(QQLoginError):
    """The client is not configured (no app id or secret): QQ login is off."""

    message = "QQ登录未开启"


class QQServiceError(QQLoginError):
    """QQ did not answer, or answered with an error."""

    message = "QQ服务异常"


class BindingRefused(ShopError):
    """The QQ account cannot be bound to that mobile's account."""
