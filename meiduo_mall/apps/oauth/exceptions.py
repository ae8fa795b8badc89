"""What can go wrong with a QQ login, in the words the shopper sees."""

from meiduo_mall.utils.exceptions import ServiceUnavailable, ShopError


class QQLoginError(ServiceUnavailable):
    """Base of what a QQ login client raises: QQ login cannot serve."""


class QQLoginUnavailable(QQLoginError):
    """The client is not configured (no app id or secret): QQ login is off."""

    message = "QQ登录未开启"


class QQServiceError(QQLoginError):
    """QQ did not answer, or answered with an error."""

    message = "QQ服务异常"


class BindingRefused(ShopError):
    """The QQ account cannot be bound to that mobile's account."""
