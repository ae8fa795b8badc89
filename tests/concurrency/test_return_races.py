"""Returns acted on at once, on real threads against MariaDB: each move of a return happens once, and the units
of a line and the money of a payment are never returned twice."""

from decimal import Decimal

import pytest

from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders import returns
from meiduo_mall.apps.orders.exceptions import OrderError, OrderStateError
from meiduo_mall.apps.orders.models import OrderGoods, Refund, ReturnRequest
from meiduo_mall.apps.orders.tests.test_returns import line_of, received_order
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.users.tests.fixtures import operator_in
from tests.factories import SKUFactory, UserFactory
from tests.races import all_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6
Reason = ReturnRequest.Reason


@pytest.fixture
def bought(settings):
    # Nothing listens there: the refunds stay requested, what these tests count is the refunds made.
    settings.SANDBOX_OPENAPI_URL = "http://127.0.0.1:9/payment/sandbox/gateway.do"
    member = UserFactory()
    sku = SKUFactory(price=Decimal("100.00"), stock=10)
    return member, sku, received_order(member, {sku: 2})


def test_many_returns_of_the_same_units_at_once_claim_them_once(bought):
    member, sku, order = bought
    line = line_of(order, sku).pk

    results = all_at_once([lambda: returns.open_return(member, order, [(line, 2)], Reason.NO_REASON)] * THREADS)

    opened = [r for r in results if isinstance(r, ReturnRequest)]
    assert len(opened) == 1, results
    assert all(isinstance(r, OrderError) for r in results if r not in opened), results
    assert OrderGoods.objects.get(pk=line).returned_count == 2
    assert ReturnRequest.objects.count() == 1


def test_operators_approving_one_return_at_once_approve_it_once(bought):
    member, sku, order = bought
    request = returns.open_return(member, order, [(line_of(order, sku).pk, 1)], Reason.QUALITY)
    operators = [operator_in("订单客服") for _ in range(THREADS)]

    results = all_at_once(
        [lambda op=op: returns.approve_return(ReturnRequest.objects.get(pk=request.pk), op, "") for op in operators]
    )

    assert sum(isinstance(r, ReturnRequest) for r in results) == 1, results
    assert all(isinstance(r, (ReturnRequest, OrderStateError)) for r in results), results
    assert ReturnRequest.objects.get(pk=request.pk).status == ReturnRequest.Status.APPROVED


def test_operators_receiving_one_return_at_once_refund_and_restock_it_once(bought):
    member, sku, order = bought
    operator = operator_in("订单客服")
    request = returns.open_return(member, order, [(line_of(order, sku).pk, 2)], Reason.NO_REASON)
    returns.approve_return(request, operator, "")
    returns.send_back(request, member, "顺丰速运", "SF1")
    stock = SKU.objects.get(pk=sku.pk).stock

    results = all_at_once(
        [lambda: returns.receive_return(ReturnRequest.objects.get(pk=request.pk), operator)] * THREADS
    )

    assert sum(isinstance(r, Refund) for r in results) == 1, results
    assert all(isinstance(r, (Refund, OrderStateError)) for r in results), results
    assert list(Refund.objects.values_list("amount", flat=True)) == [Decimal("200.00")]
    assert Payment.objects.get(order=order).refunded_amount == Decimal("200.00")
    assert SKU.objects.get(pk=sku.pk).stock == stock + 2
