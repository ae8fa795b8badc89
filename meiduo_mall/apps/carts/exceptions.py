from meiduo_mall.utils.exceptions import ShopError


class CartError(ShopError):
    """A cart change the shop refuses; the message is shown to the shopper as it is."""

    message = "购物车操作失败"


class CartFull(CartError):
    message = "购物车最多可放100种商品"


class LineLimitExceeded(CartError):
    message = "商品库存不足"


class SKUUnavailable(CartError):
    """No such SKU, or it is not for sale."""

    message = "商品不存在"
