"""The scope cache: read once per version of a template, read again whenever the template or its scope changes."""

import pytest

from meiduo_mall.apps.coupons.models import Coupon
from meiduo_mall.apps.coupons.scopes import scope_of, warm_scopes
from meiduo_mall.apps.coupons.tests.fixtures import CouponFactory
from tests.factories import CategoryFactory, GoodsFactory

pytestmark = pytest.mark.django_db


def fresh(coupon):
    """The template as the next request reads it."""
    return Coupon.objects.get(pk=coupon.pk)


def test_a_scope_is_read_once_per_version_of_its_template(django_assert_num_queries):
    phones = CategoryFactory(name="手机")
    coupon = fresh(CouponFactory(scope=Coupon.Scope.CATEGORIES, categories=[phones]))

    with django_assert_num_queries(1):
        first = scope_of(coupon)
    with django_assert_num_queries(0):
        again = scope_of(coupon)

    assert first == again and first.category_ids == {phones.pk} and first.text == "限 手机"


def test_changing_a_templates_categories_makes_every_reader_see_the_new_ones():
    phones, tablets = CategoryFactory(name="手机"), CategoryFactory(name="平板")
    coupon = CouponFactory(scope=Coupon.Scope.CATEGORIES, categories=[phones])
    assert scope_of(fresh(coupon)).category_ids == {phones.pk}

    coupon.categories.set([tablets])

    assert scope_of(fresh(coupon)).category_ids == {tablets.pk}
    coupon.categories.add(phones)
    assert scope_of(fresh(coupon)).names == ("手机", "平板")
    coupon.categories.clear()
    assert scope_of(fresh(coupon)).category_ids == frozenset()


def test_a_template_turned_from_categories_to_spus_is_priced_by_its_spus():
    spu = GoodsFactory(name="华为 Mate")
    coupon = CouponFactory(scope=Coupon.Scope.CATEGORIES, categories=[CategoryFactory()], goods=[spu])
    assert scope_of(fresh(coupon)).goods_ids == frozenset()

    Coupon.objects.filter(pk=coupon.pk).update(scope=Coupon.Scope.GOODS)

    scope = scope_of(fresh(coupon))
    assert (scope.goods_ids, scope.text) == ({spu.pk}, "限 华为 Mate")


def test_a_whole_shop_coupon_costs_no_query(django_assert_num_queries):
    coupon = fresh(CouponFactory())

    with django_assert_num_queries(0):
        assert scope_of(coupon).covers(None) and scope_of(coupon).text == ""


def test_warming_many_templates_is_a_query_per_kind_of_scope(django_assert_num_queries):
    coupons = [CouponFactory(scope=Coupon.Scope.CATEGORIES, categories=[CategoryFactory()]) for _ in range(5)]
    coupons += [CouponFactory(scope=Coupon.Scope.GOODS, goods=[GoodsFactory()]) for _ in range(5)]
    coupons = [fresh(coupon) for coupon in coupons]

    with django_assert_num_queries(2):
        warm_scopes(coupons)
    with django_assert_num_queries(0):
        scopes = [scope_of(coupon) for coupon in coupons]

    assert all(len(scope.category_ids | scope.goods_ids) == 1 for scope in scopes)
