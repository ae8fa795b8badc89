from django.conf import settings
from django.db import models

from meiduo_mall.utils.models import BaseModel


class OrderInfo(BaseModel):
    class PayMethod(models.IntegerChoices):
        CASH = 1, "货到付款"
        ALIPAY = 2, "支付宝"

    class Status(models.IntegerChoices):
        UNPAID = 1, "待支付"
        UNSEND = 2, "待发货"
        UNRECEIVED = 3, "待收货"
        UNCOMMENT = 4, "待评价"
        FINISHED = 5, "已完成"
        CANCELED = 6, "已取消"

    order_id = models.CharField(max_length=64, primary_key=True, verbose_name="订单号")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="下单用户")
    address = models.ForeignKey("users.Address", on_delete=models.PROTECT, verbose_name="收货地址")
    total_count = models.IntegerField(default=1, verbose_name="商品总数")
    total_amount = models.DecimalField(max_digits=10, decimal_places=2, verbose_name="商品总金额")
    freight = models.DecimalField(max_digits=10, decimal_places=2, verbose_name="运费")
    # total_amount = Σ(price × count) − discount + freight. The coupon's discount is priced from the database at
    # placement and shared out over the lines (OrderGoods.discount).
    discount = models.DecimalField(max_digits=10, decimal_places=2, default=0, verbose_name="优惠金额")
    coupon = models.ForeignKey(
        "coupons.MemberCoupon",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name="使用的优惠券",
    )
    pay_method = models.SmallIntegerField(choices=PayMethod.choices, default=PayMethod.CASH, verbose_name="支付方式")
    status = models.SmallIntegerField(choices=Status.choices, default=Status.UNPAID, verbose_name="订单状态")
    # The Idempotency-Key the member's page sent with the order, if any: a retry with it finds this order.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, verbose_name="下单请求标识")
    # Written by services.ship together with the status 2 → 3, shown to the buyer in "my orders".
    carrier = models.CharField(max_length=30, blank=True, default="", verbose_name="快递公司")
    tracking_number = models.CharField(max_length=40, blank=True, default="", verbose_name="快递单号")
    shipped_time = models.DateTimeField(null=True, blank=True, verbose_name="发货时间")
    # Set by services.confirm_receipt; the 7-day return window counts from it.
    received_time = models.DateTimeField(null=True, blank=True, verbose_name="收货时间")

    class Meta:
        db_table = "tb_order_info"
        verbose_name = "订单基本信息"
        verbose_name_plural = verbose_name
        # The back office's actions, granted to roles apart from "change" (nobody edits an order by hand).
        permissions = [
            ("ship_order", "可以发货"),
            ("cancel_order", "可以取消未支付订单"),
            ("export_orderinfo", "可以导出订单"),
        ]
        indexes = [
            models.Index(fields=["user", "create_time"], name="order_user_time_idx"),
            models.Index(fields=["status", "create_time"], name="order_status_time_idx"),
            models.Index(fields=["create_time"], name="order_create_time_idx"),
        ]
        constraints = [
            # Written in the order's own transaction: one key can never make two orders, even past the lock.
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="order_user_idempotency_key_uniq"),
        ]

    def __str__(self):
        return self.order_id


class OrderGoods(BaseModel):
    # Stars, as the comment form and the detail page show them.
    SCORE_CHOICES = ((0, "0星"), (1, "1星"), (2, "2星"), (3, "3星"), (4, "4星"), (5, "5星"))

    order = models.ForeignKey(OrderInfo, related_name="skus", on_delete=models.CASCADE, verbose_name="订单")
    # No constraint in the database: its check would take a shared lock on the SKU row before placement's
    # stock UPDATE, and buyers of one SKU would deadlock upgrading it. Placement writes a line only in the
    # transaction whose UPDATE found (and locked) its SKU, and PROTECT still guards deletes through Django.
    sku = models.ForeignKey("goods.SKU", on_delete=models.PROTECT, db_constraint=False, verbose_name="订单商品")
    count = models.IntegerField(default=1, verbose_name="数量")
    price = models.DecimalField(max_digits=10, decimal_places=2, verbose_name="单价")
    comment = models.TextField(default="", verbose_name="评价信息")
    score = models.SmallIntegerField(choices=SCORE_CHOICES, default=5, verbose_name="满意度评分")
    is_anonymous = models.BooleanField(default=False, verbose_name="是否匿名评价")
    is_commented = models.BooleanField(default=False, verbose_name="是否评价了")
    # Units of this line in returns that were not rejected: a line is never returned twice.
    returned_count = models.IntegerField(default=0, verbose_name="已退货数量")
    # This line's share of the order's coupon discount: what was paid for it is price × count − discount.
    discount = models.DecimalField(max_digits=10, decimal_places=2, default=0, verbose_name="优惠分摊")

    class Meta:
        db_table = "tb_order_goods"
        verbose_name = "订单商品"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.order_id} {self.sku_id}"


class OrderStatusChange(models.Model):
    """One move of an order's status, written by orders.services in the transaction that moves it."""

    order = models.ForeignKey(OrderInfo, related_name="status_changes", on_delete=models.CASCADE, verbose_name="订单")
    from_status = models.SmallIntegerField(choices=OrderInfo.Status.choices, verbose_name="原状态")
    to_status = models.SmallIntegerField(choices=OrderInfo.Status.choices, verbose_name="新状态")
    # The operator who moved it in the back office; empty for the buyer, the payment notice and the timeout.
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    time = models.DateTimeField(auto_now_add=True, verbose_name="时间")

    class Meta:
        db_table = "tb_order_status_change"
        verbose_name = "订单状态记录"
        verbose_name_plural = verbose_name
        ordering = ["time", "id"]

    def __str__(self):
        return f"{self.order_id} {self.from_status}→{self.to_status}"


class OrderNote(models.Model):
    """A note operators keep on an order (a call with the buyer, a parcel problem); never shown to the buyer."""

    order = models.ForeignKey(OrderInfo, related_name="notes", on_delete=models.CASCADE, verbose_name="订单")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    text = models.TextField(max_length=2000, verbose_name="内容")
    create_time = models.DateTimeField(auto_now_add=True, verbose_name="记录时间")

    class Meta:
        db_table = "tb_order_note"
        verbose_name = "订单备注"
        verbose_name_plural = verbose_name
        ordering = ["create_time", "id"]

    def __str__(self):
        return f"{self.order_id} {self.create_time:%Y-%m-%d %H:%M}"


class ReturnRequest(BaseModel):
    """A member's return of some units of a received order, from request to refund (orders.returns)."""

    class Status(models.IntegerChoices):
        REQUESTED = 1, "待审核"
        APPROVED = 2, "待寄回"
        REJECTED = 3, "已拒绝"
        SENT_BACK = 4, "已寄回"
        RECEIVED = 5, "已收货"

    class Reason(models.IntegerChoices):
        NO_REASON = 1, "7天无理由退货"
        QUALITY = 2, "质量问题"
        NOT_AS_DESCRIBED = 3, "商品与描述不符"
        WRONG_ITEM = 4, "发错货"
        DAMAGED = 5, "商品破损"
        OTHER = 6, "其他"

    order = models.ForeignKey(OrderInfo, related_name="returns", on_delete=models.PROTECT, verbose_name="订单")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="returns", on_delete=models.PROTECT, verbose_name="申请人"
    )
    status = models.SmallIntegerField(choices=Status.choices, default=Status.REQUESTED, verbose_name="退货状态")
    reason = models.SmallIntegerField(choices=Reason.choices, verbose_name="退货原因")
    description = models.TextField(max_length=500, blank=True, default="", verbose_name="问题描述")
    # The money of the returned units (their paid price) and, by the freight rule, the freight; fixed at request.
    refund_amount = models.DecimalField(max_digits=10, decimal_places=2, verbose_name="退款金额")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="审核人",
    )
    operator_note = models.CharField(max_length=200, blank=True, default="", verbose_name="审核说明")
    reviewed_time = models.DateTimeField(null=True, blank=True, verbose_name="审核时间")
    # The parcel the member sends back after approval.
    carrier = models.CharField(max_length=30, blank=True, default="", verbose_name="寄回快递公司")
    tracking_number = models.CharField(max_length=40, blank=True, default="", verbose_name="寄回快递单号")
    sent_back_time = models.DateTimeField(null=True, blank=True, verbose_name="寄回时间")
    received_time = models.DateTimeField(null=True, blank=True, verbose_name="仓库收货时间")

    class Meta:
        db_table = "tb_order_return"
        verbose_name = "退货申请"
        verbose_name_plural = verbose_name
        ordering = ["-create_time"]
        indexes = [models.Index(fields=["status", "create_time"], name="return_status_time_idx")]
        permissions = [("review_return", "可以审核退货"), ("receive_return", "可以确认退货收货")]

    def __str__(self):
        return f"{self.order_id} 退货 {self.pk}"


class ReturnLine(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, related_name="lines", on_delete=models.CASCADE, verbose_name="退货申请"
    )
    order_goods = models.ForeignKey(OrderGoods, related_name="+", on_delete=models.PROTECT, verbose_name="订单商品")
    count = models.IntegerField(verbose_name="退货数量")
    amount = models.DecimalField(max_digits=10, decimal_places=2, verbose_name="退款金额")

    class Meta:
        db_table = "tb_order_return_line"
        verbose_name = "退货商品"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.return_request_id} {self.order_goods_id} ×{self.count}"


class ReturnPhoto(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, related_name="photos", on_delete=models.CASCADE, verbose_name="退货申请"
    )
    # Saved through the storage backend (local files, FastDFS in production), like every image of the shop.
    image = models.ImageField(verbose_name="照片")

    class Meta:
        db_table = "tb_order_return_photo"
        verbose_name = "退货照片"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.return_request_id} {self.image.name}"


class Refund(BaseModel):
    """Money sent back through the payment gateway: one row per request, `out_request_no` its idempotency key.

    orders.services owns every status change; payment sends it through the gateway and reports back.
    """

    class Status(models.IntegerChoices):
        PENDING = 1, "待退款"
        PROCESSING = 2, "退款中"
        SUCCEEDED = 3, "已退款"
        FAILED = 4, "退款失败"

    order = models.ForeignKey(OrderInfo, related_name="refunds", on_delete=models.PROTECT, verbose_name="订单")
    payment = models.ForeignKey(
        "payment.Payment", related_name="refunds", on_delete=models.PROTECT, verbose_name="支付记录"
    )
    return_request = models.ForeignKey(
        ReturnRequest,
        null=True,
        blank=True,
        related_name="refunds",
        on_delete=models.PROTECT,
        verbose_name="退货申请",
    )
    out_request_no = models.CharField(max_length=64, unique=True, verbose_name="退款请求号")
    amount = models.DecimalField(max_digits=10, decimal_places=2, verbose_name="退款金额")
    reason = models.CharField(max_length=100, verbose_name="退款原因")
    status = models.SmallIntegerField(choices=Status.choices, default=Status.PENDING, verbose_name="退款状态")
    # The gateway's own reference for the refunded trade, and its words when it refused.
    gateway_reference = models.CharField(max_length=100, blank=True, default="", verbose_name="支付平台交易号")
    failure_reason = models.CharField(max_length=200, blank=True, default="", verbose_name="失败原因")
    attempts = models.SmallIntegerField(default=0, verbose_name="发送次数")
    refunded_time = models.DateTimeField(null=True, blank=True, verbose_name="退款到账时间")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="发起人",
    )

    class Meta:
        db_table = "tb_order_refund"
        verbose_name = "退款记录"
        verbose_name_plural = verbose_name
        ordering = ["-create_time"]
        indexes = [models.Index(fields=["status", "create_time"], name="refund_status_time_idx")]
        permissions = [("retry_refund", "可以重新发起退款")]

    def __str__(self):
        return self.out_request_no


class FreightRule(BaseModel):
    """How much an order pays for shipping. The newest active rule applies; with none, ORDER_FREIGHT flat."""

    name = models.CharField(max_length=50, verbose_name="名称")
    base_fee = models.DecimalField(max_digits=10, decimal_places=2, verbose_name="基础运费（元）")
    # Orders whose goods, after the coupon, come to at least this ship without the base fee (包邮).
    free_over = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, verbose_name="包邮门槛（元）"
    )
    # Added for every unit after the first, unless the order ships free.
    per_item_fee = models.DecimalField(max_digits=10, decimal_places=2, default=0, verbose_name="续件运费（元/件）")
    is_active = models.BooleanField(default=True, verbose_name="启用")

    class Meta:
        db_table = "tb_freight_rule"
        verbose_name = "运费规则"
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.name


class FreightSurcharge(models.Model):
    """Extra freight for a remote province, charged even when the order ships free otherwise."""

    rule = models.ForeignKey(FreightRule, related_name="surcharges", on_delete=models.CASCADE, verbose_name="运费规则")
    province = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="省份")
    fee = models.DecimalField(max_digits=10, decimal_places=2, verbose_name="加收运费（元）")

    class Meta:
        db_table = "tb_freight_surcharge"
        verbose_name = "偏远地区加收"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["rule", "province"], name="freight_surcharge_province_uniq")]

    def __str__(self):
        return f"{self.rule} {self.province}"
