"""One member placing two orders at once with one coupon, on MariaDB (docs/api.md P2): exactly one order has the
coupon; the other is refused with a message, never placed without it, and takes no stock.

orders.services.place_order is called directly: the cart is the member's, so two placements of it at once only
happen past the placement lock (two tabs whose lock expired, a retry after a lost answer). The rival runs at
named points inside the first placement (tests/races.py), and by real threads.
"""

from decimal import Decimal

import pytest

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.coupons.exceptions import CouponError
from meiduo_mall.apps.coupons.models import MemberCoupon
from meiduo_mall.apps.coupons.tests.fixtures import CouponFactory, MemberCouponFactory
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders.exceptions import EmptySelection
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo
from meiduo_mall.apps.orders.services import order_lines_read, order_stock_taken, place_order
from meiduo_mall.utils.exceptions import ShopError
from tests.factories import AddressFactory, SKUFactory, UserFactory
from tests.races import all_at_once, rival_at, rival_beside

pytestmark = pytest.mark.django_db(transaction=True)

CASH = OrderInfo.PayMethod.CASH
REFUSED = {"优惠券已使用", "优惠券已使用或已过期"}


@pytest.fixture
def member():
    """A member with 2 units of a ¥60 SKU (stock 10) selected and one 满100减10 coupon; (user, address, sku,
    member_coupon)."""
    user = UserFactory()
    sku = SKUFactory(price=Decimal("60.00"), stock=10, sales=0)
    fill_cart(user, {sku.id: 2})
    return user, AddressFactory(user=user), sku, MemberCouponFactory(user=user, coupon=CouponFactory())


def attempt(user, address, member_coupon):
    """place_order with the coupon: the order, or the refusal (a ShopError, with the member's message)."""
    try:
        return place_order(user, address, CASH, coupon_id=member_coupon.pk)
    except ShopError as exc:
        return exc


def assert_one_order_has_the_coupon(sku, member_coupon):
    orders = list(OrderInfo.objects.all())
    assert [(o.coupon_id, o.discount, o.total_amount) for o in orders] == [
        (member_coupon.pk, Decimal("10.00"), Decimal("120.00"))
    ]
    assert OrderGoods.objects.filter(order=orders[0]).count() == 1
    assert MemberCoupon.objects.get(pk=member_coupon.pk).status == MemberCoupon.Status.USED
    assert SKU.objects.values_list("stock", "sales").get(pk=sku.pk) == (8, 2)


def test_a_rival_placing_with_the_coupon_once_the_lines_are_read_leaves_the_first_refused(member):
    user, address, sku, member_coupon = member

    with rival_at(order_lines_read, lambda: attempt(user, address, member_coupon)) as rival:
        first = attempt(user, address, member_coupon)

    assert isinstance(rival[0], OrderInfo)
    assert isinstance(first, CouponError)
    assert first.message == "优惠券已使用或已过期"
    assert_one_order_has_the_coupon(sku, member_coupon)


def test_a_rival_arriving_while_the_first_holds_the_coupon_waits_and_is_refused(member):
    """The first has used the coupon and taken the stock, not committed yet: the rival queues on the coupon's
    row lock, then finds it used. The coupon is locked before the order's foreign key reads it, so the two
    never deadlock."""
    user, address, sku, member_coupon = member

    with rival_beside(order_stock_taken, lambda: attempt(user, address, member_coupon)) as run:
        first = attempt(user, address, member_coupon)

    assert isinstance(first, OrderInfo)
    assert run.waited_for_a_lock
    assert isinstance(run.results[0], CouponError)
    assert run.results[0].message in REFUSED
    assert_one_order_has_the_coupon(sku, member_coupon)


@pytest.mark.parametrize("count", [2, 5])
def test_placements_at_the_same_instant_with_one_coupon_make_one_order_with_it(member, count):
    user, address, sku, member_coupon = member

    results = all_at_once([lambda: attempt(user, address, member_coupon)] * count)

    placed = [r for r in results if isinstance(r, OrderInfo)]
    refused = [r for r in results if not isinstance(r, OrderInfo)]
    assert len(placed) == 1, results
    # A placement that read the cart only once the winner had emptied it finds nothing to order.
    assert all(isinstance(r, CouponError) and r.message in REFUSED or isinstance(r, EmptySelection) for r in refused), (
        results
    )
    assert_one_order_has_the_coupon(sku, member_coupon)
