from django.db import models

from meiduo_mall.utils.models import BaseModel


class Payment(BaseModel):
    order = models.ForeignKey("orders.OrderInfo", on_delete=models.CASCADE, verbose_name="订单")
    trade_id = models.CharField(max_length=100, unique=True, null=True, blank=True, verbose_name="支付编号")
    # Money Alipay took for an order that could no longer take it (cancelled first, or paid by another
    # trade): the row keeps it accounted for until the back office refunds it.
    refund_needed = models.BooleanField(default=False, verbose_name="待退款")
    # What the gateway took, and how much of it refunds have claimed (sent or being sent; a failed refund gives
    # its claim back). orders.services moves refunded_amount with a conditional UPDATE, never past amount.
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=0, verbose_name="支付金额")
    refunded_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0, verbose_name="已退款金额")

    class Meta:
        db_table = "tb_payment"
        verbose_name = "支付信息"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"订单 {self.order_id} 的支付"
