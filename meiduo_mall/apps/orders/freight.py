"""Freight: what an order pays for shipping, from the active FreightRule, the province and the goods' amount."""

from decimal import Decimal

from django.conf import settings

from .models import FreightRule

CENT = Decimal("0.01")


def active_freight_rule():
    """The newest active rule with its surcharges (two queries), or None: then every order pays ORDER_FREIGHT."""
    return FreightRule.objects.filter(is_active=True).prefetch_related("surcharges").order_by("-id").first()


def order_freight(rule, province_id, goods_amount, total_count):
    """The freight of an order of `total_count` units whose goods come to `goods_amount` after the coupon,
    shipped to `province_id` (None when no address is chosen yet: no surcharge)."""
    if rule is None:
        return Decimal(settings.ORDER_FREIGHT).quantize(CENT)
    if rule.free_over is not None and goods_amount >= rule.free_over:
        fee = Decimal("0.00")
    else:
        fee = rule.base_fee + rule.per_item_fee * max(total_count - 1, 0)
    fee += sum((s.fee for s in rule.surcharges.all() if s.province_id == province_id), Decimal("0.00"))
    return fee.quantize(CENT)
