"""What can go wrong with an order, in the words the shopper sees."""

from rest_framework import status

from meiduo_mall.utils.exceptions import ShopError, message_body


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


class OrderInProgress(OrderError):
    """The member's previous submit is still being placed (a double click, a second tab)."""

    status_code = status.HTTP_409_CONFLICT
    message = "订单正在提交，请勿重复提交"
    # The same body on every endpoint, whatever the view's own shape.
    error_shape = message_body


class RefundExceedsPayment(OrderError):
    """The refunds of a payment would claim more than the gateway took."""

    message = "退款金额超过实付金额"


class RefundStateError(OrderError):
    """The refund is not in a state that allows the requested step (a retry of one that did not fail)."""

    message = "退款当前不能重新发起"
