"""Coupons made directly: `CouponFactory` (a public 满100减10 for the next 30 days, 100 of them, one per member),
`MemberCouponFactory` (a copy a member holds, in the template's window), and the `coupon` fixture."""

from datetime import timedelta
from decimal import Decimal

import factory
import pytest
from django.utils import timezone

from meiduo_mall.apps.coupons.models import Coupon, MemberCoupon
from tests.factories import UserFactory


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"满减券{n}")
    kind = Coupon.Kind.SPEND_AND_SAVE
    threshold = Decimal("100.00")
    amount = Decimal("10.00")
    valid_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    valid_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    total_quantity = 100
    per_member_limit = 1

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.categories.set(extracted)

    @factory.post_generation
    def goods(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.goods.set(extracted)


class MemberCouponFactory(factory.django.DjangoModelFactory):
    """A copy made without the claim's counting: for tests about what members do with coupons they hold."""

    class Meta:
        model = MemberCoupon

    coupon = factory.SubFactory(CouponFactory)
    user = factory.SubFactory(UserFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    source = MemberCoupon.Source.CLAIMED
    valid_from = factory.LazyAttribute(lambda c: c.coupon.valid_from or timezone.now())
    valid_until = factory.LazyAttribute(lambda c: c.coupon.valid_until or timezone.now() + timedelta(days=7))


@pytest.fixture
def coupon(db):
    return CouponFactory()
