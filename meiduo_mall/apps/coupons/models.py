from django.conf import settings
from django.db import models

from meiduo_mall.utils.models import BaseModel


class Coupon(BaseModel):
    """A coupon template the back office sets up; members hold copies of it (MemberCoupon)."""

    class Kind(models.IntegerChoices):
        SPEND_AND_SAVE = 1, "满减"
        PERCENT_OFF = 2, "折扣"
        NO_THRESHOLD = 3, "无门槛"

    class Scope(models.IntegerChoices):
        WHOLE_SHOP = 1, "全场通用"
        CATEGORIES = 2, "指定分类"
        GOODS = 3, "指定商品"

    name = models.CharField(max_length=50, verbose_name="名称")
    kind = models.SmallIntegerField(choices=Kind.choices, verbose_name="类型")
    # 满减 and 折扣: the lines in scope must reach it; 无门槛 has none (0).
    threshold = models.DecimalField(max_digits=10, decimal_places=2, default=0, verbose_name="使用门槛（元）")
    # 满减 and 无门槛: what comes off.
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, verbose_name="减免金额（元）")
    # 折扣: p % off the lines in scope (10 is 九折), at most max_discount when it is set.
    percent_off = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name="折扣力度（减免百分比）")
    max_discount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, verbose_name="最多优惠（元）"
    )
    scope = models.SmallIntegerField(choices=Scope.choices, default=Scope.WHOLE_SHOP, verbose_name="适用范围")
    # A category of any level takes in every SPU filed under it.
    categories = models.ManyToManyField("goods.GoodsCategory", blank=True, related_name="+", verbose_name="适用分类")
    goods = models.ManyToManyField("goods.Goods", blank=True, related_name="+", verbose_name="适用商品")
    # Validity: a fixed window (valid_from, valid_until), or valid_days from the moment a member gets it.
    valid_from = models.DateTimeField(null=True, blank=True, verbose_name="生效时间")
    valid_until = models.DateTimeField(null=True, blank=True, verbose_name="失效时间")
    valid_days = models.PositiveIntegerField(null=True, blank=True, verbose_name="领取后有效天数")
    total_quantity = models.PositiveIntegerField(verbose_name="发放总量")
    # Counted up by one conditional UPDATE per coupon handed out, never past total_quantity.
    issued_count = models.PositiveIntegerField(default=0, verbose_name="已发放")
    per_member_limit = models.PositiveSmallIntegerField(default=1, verbose_name="每人限领")
    # Public coupons are offered in the coupon centre; the others only come from operators' grants.
    is_public = models.BooleanField(default=True, verbose_name="领券中心展示")
    # Handed to every new member at registration (with settings.NEW_MEMBER_COUPONS on).
    for_new_members = models.BooleanField(default=False, verbose_name="新人券")
    is_active = models.BooleanField(default=True, verbose_name="启用")

    class Meta:
        db_table = "tb_coupon"
        verbose_name = "优惠券"
        verbose_name_plural = verbose_name
        permissions = [("grant_coupon", "可以向会员发放优惠券")]

    def __str__(self):
        return self.name


class MemberCoupon(BaseModel):
    """One coupon a member holds: claimed in the coupon centre, granted by an operator or given at registration."""

    class Status(models.IntegerChoices):
        UNUSED = 1, "未使用"
        USED = 2, "已使用"

    class Source(models.IntegerChoices):
        CLAIMED = 1, "领券中心"
        GRANTED = 2, "后台发放"
        NEW_MEMBER = 3, "新人礼"

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="copies", verbose_name="优惠券")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coupons", verbose_name="会员"
    )
    # The member's n-th copy of this coupon: with the unique constraint, two claims at once can never give a
    # member more than per_member_limit copies.
    sequence = models.PositiveSmallIntegerField(verbose_name="领取序号")
    source = models.SmallIntegerField(choices=Source.choices, verbose_name="来源")
    status = models.SmallIntegerField(choices=Status.choices, default=Status.UNUSED, verbose_name="状态")
    # Fixed when the member gets it: the template's window, or valid_days from then.
    valid_from = models.DateTimeField(verbose_name="生效时间")
    valid_until = models.DateTimeField(verbose_name="失效时间")
    used_time = models.DateTimeField(null=True, blank=True, verbose_name="使用时间")

    class Meta:
        db_table = "tb_member_coupon"
        verbose_name = "会员优惠券"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["coupon", "user", "sequence"], name="member_coupon_sequence_uniq"),
        ]
        indexes = [models.Index(fields=["user", "status", "valid_until"], name="member_coupon_usable_idx")]

    def __str__(self):
        return f"{self.coupon} · {self.user}"
