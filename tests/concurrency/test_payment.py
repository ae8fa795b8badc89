"""Alipay's notice and the buyer's return (and the unpaid-order cancel) racing on real threads."""

import pytest

from meiduo_mall.apps.orders import services as orders
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.payment import services
from meiduo_mall.apps.payment.exceptions import PaymentNotApplicable
from meiduo_mall.apps.payment.gateways.tests.alipay_messages import TRADE_NO, signed_notice, signed_return
from meiduo_mall.apps.payment.models import Payment
from tests.factories import OrderFactory
from tests.races import all_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_notices_and_returns_pay_the_order_once(user):
    order = OrderFactory(user=user)
    notice, back = signed_notice(order, trade_no=TRADE_NO), signed_return(order, trade_no=TRADE_NO)

    results = all_at_once(
        [lambda: services.accept_alipay_notice(notice), lambda: services.confirm_alipay_return(back)] * 4
    )

    assert results == [True, TRADE_NO] * 4
    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNSEND
    assert list(Payment.objects.values_list("trade_id", flat=True)) == [TRADE_NO]


def test_notice_racing_the_unpaid_order_cancel_leaves_one_consistent_outcome(user):
    order = OrderFactory(user=user)
    notice = signed_notice(order, trade_no=TRADE_NO)

    paid, cancelled = all_at_once([lambda: services.accept_alipay_notice(notice), lambda: orders.cancel(order)])

    assert paid is True
    order.refresh_from_db()
    if cancelled:
        assert order.status == OrderInfo.Status.CANCELED
        assert Payment.objects.get().refund_needed
        with pytest.raises(PaymentNotApplicable):
            services.confirm_alipay_return(signed_return(order, trade_no=TRADE_NO))
    else:
        assert order.status == OrderInfo.Status.UNSEND
        assert Payment.objects.get().trade_id == TRADE_NO
