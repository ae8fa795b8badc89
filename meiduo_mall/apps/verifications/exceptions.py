from meiduo_mall.utils.exceptions import ServiceUnavailable, ShopError


class VerificationError(ShopError):
    """A code check failed or a send was refused; `message` is what the page shows the shopper."""


class SMSUnavailable(ServiceUnavailable):
    """The SMS could not be queued (the Celery broker is down): a 503; the shopper may ask again at once."""

    message = "短信服务暂不可用，请稍后再试"
