from django.conf import settings
from django.core.exceptions import ValidationError
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

    def clean(self):
        """The rules a template must keep before anyone can hold it (the back office's form shows the errors).
        Its categories and SPUs are saved after this runs: the form checks them."""
        errors = {}
        self._clean_rule(errors)
        self._clean_validity(errors)
        if self.total_quantity is not None:
            if self.total_quantity < 1:
                errors["total_quantity"] = "发放总量至少为1张"
            elif self.total_quantity < self.issued_count:
                errors["total_quantity"] = f"发放总量不能少于已发放的{self.issued_count}张"
        if self.per_member_limit is not None and self.per_member_limit < 1:
            errors["per_member_limit"] = "每人限领至少为1张"
        if errors:
            raise ValidationError(errors)

    def _clean_rule(self, errors):
        if self.kind is None:
            return
        # Values typed for another kind are never read by pricing; cleared so the template says one rule.
        if self.kind == self.Kind.PERCENT_OFF:
            self.amount = None
            if self.percent_off is None:
                errors["percent_off"] = "请填写折扣力度"
            elif not 1 <= self.percent_off <= 99:
                errors["percent_off"] = "折扣力度须在1到99之间（10表示九折）"
            if self.max_discount is not None and self.max_discount <= 0:
                errors["max_discount"] = "最多优惠须大于0"
            if self.threshold is not None and self.threshold < 0:
                errors["threshold"] = "使用门槛不能为负数"
            return
        self.percent_off = self.max_discount = None
        if self.amount is None:
            errors["amount"] = "请填写减免金额"
        elif self.amount <= 0:
            errors["amount"] = "减免金额须大于0"
        if self.kind == self.Kind.NO_THRESHOLD:
            if self.threshold:
                errors["threshold"] = "无门槛券的使用门槛须为0"
        elif self.kind == self.Kind.SPEND_AND_SAVE and self.threshold is not None and "amount" not in errors:
            if self.threshold <= self.amount:
                errors["threshold"] = "满减券的使用门槛须大于减免金额"

    def _clean_validity(self, errors):
        if self.valid_days is not None:
            if self.valid_until is not None:
                errors["valid_days"] = "固定有效期和领取后有效天数只能选一种"
            elif self.valid_from is not None:
                errors["valid_from"] = "按领取后天数计算有效期时，不填写生效时间"
            elif self.valid_days < 1:
                errors["valid_days"] = "领取后有效天数至少为1天"
        elif self.valid_until is None:
            errors["valid_until"] = "请填写失效时间，或填写领取后有效天数"
        elif self.valid_from is not None and self.valid_from >= self.valid_until:
            errors["valid_until"] = "失效时间须晚于生效时间"


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
