from meiduo_mall.utils.exceptions import ShopError


class VerificationError(ShopError):
    """A code check failed or a send was refused; `message` is what the page shows the shopper."""
