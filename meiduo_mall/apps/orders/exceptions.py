"""What can go wrong with an order, in the words the shopper sees."""

from meiduo_mall.utils.exceptions import ShopError


class OrderError(ShopError):
    """A rule of the shop refused the request; the message is shown to the shopper as is."""


class UnableToPlaceOrder(OrderError):
    pass


class EmptySelection(UnableToPlaceOrder):
    message = "购物车中没有勾选的商品"


class InsufficientStock(UnableToPlaceOrder):
    def __init__(self, sku):
        self.sku = sku
        super().__init__(f"{sku.name} 库存不足")


class OrderStateError(OrderError):
    """The order is not in a state that allows the requested step (cancel, receipt, comment)."""
