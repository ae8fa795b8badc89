"""The return rules (orders.returns): what a member may return, the reviews and the receipt that refunds."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.orders import returns
from meiduo_mall.apps.orders.exceptions import OrderError, OrderStateError, RefundExceedsPayment
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo, Refund, ReturnRequest
from meiduo_mall.apps.orders.services import place_order
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.apps.users.tests.fixtures import operator_in
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend
from tests.factories import AddressFactory, GoodsFactory, SKUFactory
from tests.races import rival_at

pytestmark = pytest.mark.django_db

Reason = ReturnRequest.Reason
Status = ReturnRequest.Status


def received_order(user, counts, *, received_days_ago=1, pay_method=OrderInfo.PayMethod.ALIPAY):
    """An order of `counts` ({sku: n}) placed for real, paid through the gateway and received days ago."""
    fill_cart(user, {sku.id: n for sku, n in counts.items()})
    order = place_order(user, AddressFactory(user=user), pay_method)
    received = timezone.now() - timedelta(days=received_days_ago)
    OrderInfo.objects.filter(pk=order.pk).update(status=OrderInfo.Status.UNCOMMENT, received_time=received)
    if pay_method == OrderInfo.PayMethod.ALIPAY:
        Payment.objects.create(order=order, trade_id=f"T{order.order_id}", amount=order.total_amount)
    order.refresh_from_db()
    return order


def line_of(order, sku):
    return OrderGoods.objects.get(order=order, sku=sku)


def photo(kind="PNG", size=(8, 8), name=None):
    data = io.BytesIO()
    Image.new("RGB", size, "red").save(data, kind)
    return SimpleUploadedFile(name or f"p.{kind.lower()}", data.getvalue(), content_type=f"image/{kind.lower()}")


@pytest.fixture
def two_skus():
    return SKUFactory(price=Decimal("100.00"), stock=10), SKUFactory(price=Decimal("30.50"), stock=10)


@pytest.fixture
def operator():
    return operator_in("订单客服")


def test_a_partial_return_of_one_line_claims_its_units_at_the_paid_price(user, two_skus):
    phone, case = two_skus
    order = received_order(user, {phone: 2, case: 1})

    request = returns.open_return(user, order, [(line_of(order, phone).pk, 1)], Reason.NO_REASON, "不想要了")

    assert request.status == Status.REQUESTED
    assert request.refund_amount == Decimal("100.00")
    assert [(line.order_goods.sku_id, line.count, line.amount) for line in request.lines.all()] == [
        (phone.id, 1, Decimal("100.00"))
    ]
    assert line_of(order, phone).returned_count == 1
    assert line_of(order, case).returned_count == 0


def test_more_units_than_are_left_are_refused_and_nothing_is_claimed(user, two_skus):
    phone, case = two_skus
    order = received_order(user, {phone: 2, case: 1})
    returns.open_return(user, order, [(line_of(order, phone).pk, 1)], Reason.NO_REASON)

    with pytest.raises(OrderError, match="最多可退1件"):
        returns.open_return(user, order, [(line_of(order, case).pk, 1), (line_of(order, phone).pk, 2)], Reason.QUALITY)

    assert (line_of(order, phone).returned_count, line_of(order, case).returned_count) == (1, 0)
    assert ReturnRequest.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("count", [0, -1, True, "1"])
def test_a_count_that_is_not_a_positive_number_is_refused(user, two_skus, count):
    order = received_order(user, {two_skus[0]: 2})
    with pytest.raises(OrderError, match="退货数量无效"):
        returns.open_return(user, order, [(line_of(order, two_skus[0]).pk, count)], Reason.NO_REASON)
    assert not ReturnRequest.objects.exists()


def test_a_return_after_the_seven_days_is_refused(user, two_skus):
    order = received_order(user, {two_skus[0]: 1}, received_days_ago=8)
    with pytest.raises(OrderError, match="已超过7天退货期限"):
        returns.open_return(user, order, [(line_of(order, two_skus[0]).pk, 1)], Reason.QUALITY)
    assert line_of(order, two_skus[0]).returned_count == 0


def test_an_order_not_yet_received_takes_no_return(user, two_skus):
    order = received_order(user, {two_skus[0]: 1})
    OrderInfo.objects.filter(pk=order.pk).update(status=OrderInfo.Status.UNRECEIVED)
    order.refresh_from_db()
    assert returns.return_deadline(order) is None
    with pytest.raises(OrderError, match="订单当前不能退货"):
        returns.open_return(user, order, [(line_of(order, two_skus[0]).pk, 1)], Reason.QUALITY)


def test_goods_not_returnable_refuse_a_return_without_reason_but_take_one_for_quality(user):
    underwear = SKUFactory(goods=GoodsFactory(returnable=False), price=Decimal("59.00"))
    order = received_order(user, {underwear: 1})
    line = line_of(order, underwear)

    with pytest.raises(OrderError, match="该商品不支持7天无理由退货"):
        returns.open_return(user, order, [(line.pk, 1)], Reason.NO_REASON)
    request = returns.open_return(user, order, [(line.pk, 1)], Reason.QUALITY, "线头开裂")

    assert request.reason == Reason.QUALITY


def test_another_members_order_and_another_orders_line_are_refused(user, other_user, two_skus):
    order = received_order(user, {two_skus[0]: 1})
    others = received_order(other_user, {two_skus[1]: 1})

    with pytest.raises(OrderError) as refused:
        returns.open_return(other_user, order, [(line_of(order, two_skus[0]).pk, 1)], Reason.QUALITY)
    assert refused.value.status_code == 404
    with pytest.raises(OrderError, match="订单中没有该商品"):
        returns.open_return(user, order, [(line_of(others, two_skus[1]).pk, 1)], Reason.QUALITY)
    assert not ReturnRequest.objects.exists()


def test_freight_is_refunded_only_when_the_whole_order_goes_back_for_the_sellers_fault(user, other_user, two_skus):
    phone, case = two_skus
    whole = received_order(user, {phone: 1, case: 1})
    lines = [(line_of(whole, phone).pk, 1), (line_of(whole, case).pk, 1)]
    assert returns.open_return(user, whole, lines, Reason.DAMAGED).refund_amount == Decimal("140.50")

    no_reason = received_order(other_user, {phone: 1})
    assert returns.open_return(
        other_user, no_reason, [(line_of(no_reason, phone).pk, 1)], Reason.NO_REASON
    ).refund_amount == Decimal("100.00")

    part = received_order(user, {phone: 1, case: 1})
    assert returns.open_return(user, part, [(line_of(part, case).pk, 1)], Reason.WRONG_ITEM).refund_amount == Decimal(
        "30.50"
    )


def test_photos_are_stored_through_the_storage_and_at_most_three_real_images(user, two_skus):
    order = received_order(user, {two_skus[0]: 3})
    line = line_of(order, two_skus[0]).pk

    with pytest.raises(OrderError, match="最多上传3张照片"):
        returns.open_return(user, order, [(line, 1)], Reason.QUALITY, photos=[photo() for _ in range(4)])
    not_an_image = SimpleUploadedFile("p.png", b"not an image at all", content_type="image/png")
    with pytest.raises(OrderError, match="格式的图片"):
        returns.open_return(user, order, [(line, 1)], Reason.QUALITY, photos=[not_an_image])
    with pytest.raises(OrderError, match="格式的图片"):
        returns.open_return(user, order, [(line, 1)], Reason.QUALITY, photos=[photo("GIF")])
    assert line_of(order, two_skus[0]).returned_count == 0

    request = returns.open_return(user, order, [(line, 1)], Reason.QUALITY, photos=[photo("JPEG"), photo("WEBP")])

    names = [p.image.name for p in request.photos.order_by("id")]
    assert len(names) == 2 and all(default_storage.exists(name) for name in names)
    assert names[0].endswith(".jpg") and names[1].endswith(".webp")
    for name in names:
        default_storage.delete(name)


def test_a_rejected_return_gives_its_units_back(user, operator, two_skus):
    order = received_order(user, {two_skus[0]: 2})
    request = returns.open_return(user, order, [(line_of(order, two_skus[0]).pk, 2)], Reason.NO_REASON)

    with pytest.raises(OrderError, match="请填写拒绝原因"):
        returns.reject_return(request, operator, "")
    returns.reject_return(request, operator, "商品已拆封使用")

    request.refresh_from_db()
    assert (request.status, request.operator, request.operator_note) == (Status.REJECTED, operator, "商品已拆封使用")
    assert request.reviewed_time is not None
    assert line_of(order, two_skus[0]).returned_count == 0
    with pytest.raises(OrderStateError, match="退货申请已被处理"):
        returns.approve_return(request, operator, "")


def test_the_member_is_told_by_sms_once_the_approval_commits(
    user, operator, two_skus, django_capture_on_commit_callbacks
):
    order = received_order(user, {two_skus[0]: 2})
    approved = returns.open_return(user, order, [(line_of(order, two_skus[0]).pk, 1)], Reason.QUALITY)
    rejected = returns.open_return(user, order, [(line_of(order, two_skus[0]).pk, 1)], Reason.NO_REASON)

    with django_capture_on_commit_callbacks(execute=True):
        returns.reject_return(rejected, operator, "已超出无理由退货范围")
    assert RecordingSMSBackend.notices() == []
    with django_capture_on_commit_callbacks(execute=True):
        returns.approve_return(approved, operator, "请寄回")

    [notice] = RecordingSMSBackend.notices()
    assert (notice["mobile"], notice["kind"]) == (user.mobile, "return_approved")
    assert notice["text"] == f"您的订单{order.order_id}的退货申请已通过，请寄回商品并填写快递单号。"


def test_two_operators_approving_at_once_one_wins(user, operator, two_skus):
    order = received_order(user, {two_skus[0]: 1})
    request = returns.open_return(user, order, [(line_of(order, two_skus[0]).pk, 1)], Reason.QUALITY)
    second = operator_in("订单客服")

    with rival_at(returns.return_reviewing, lambda: returns.approve_return(ReturnRequest.objects.get(), second, "")):
        with pytest.raises(OrderStateError, match="退货申请已被处理"):
            returns.approve_return(request, operator, "同意")

    request.refresh_from_db()
    assert (request.status, request.operator) == (Status.APPROVED, second)


def test_only_an_approved_return_is_sent_back_by_its_member(user, other_user, operator, two_skus):
    order = received_order(user, {two_skus[0]: 1})
    request = returns.open_return(user, order, [(line_of(order, two_skus[0]).pk, 1)], Reason.QUALITY)
    with pytest.raises(OrderStateError):
        returns.send_back(request, user, "顺丰速运", "SF123")
    returns.approve_return(request, operator, "")

    with pytest.raises(OrderError) as refused:
        returns.send_back(request, other_user, "顺丰速运", "SF123")
    assert refused.value.status_code == 404
    with pytest.raises(OrderError, match="请填写快递单号"):
        returns.send_back(request, user, "顺丰速运", " ")
    returns.send_back(request, user, " 顺丰速运 ", "SF123")

    request.refresh_from_db()
    assert (request.status, request.carrier, request.tracking_number) == (Status.SENT_BACK, "顺丰速运", "SF123")


def sent_back_return(user, operator, order, lines, reason=Reason.NO_REASON):
    request = returns.open_return(user, order, lines, reason)
    returns.approve_return(request, operator, "")
    returns.send_back(request, user, "顺丰速运", "SF1")
    return request


def test_receiving_a_return_gives_stock_back_and_requests_its_refund(user, operator, two_skus):
    phone, case = two_skus
    order = received_order(user, {phone: 2, case: 1})
    request = sent_back_return(user, operator, order, [(line_of(order, phone).pk, 1)])
    before = SKU.objects.get(pk=phone.pk)

    refund = returns.receive_return(request, operator)

    after = SKU.objects.get(pk=phone.pk)
    assert (after.stock, after.sales) == (before.stock + 1, before.sales - 1)
    assert (refund.amount, refund.return_request, refund.operator) == (Decimal("100.00"), request, operator)
    assert refund.status == Refund.Status.PENDING
    assert Payment.objects.get(order=order).refunded_amount == Decimal("100.00")
    request.refresh_from_db()
    assert request.status == Status.RECEIVED and request.received_time is not None


def test_the_whole_order_back_for_damage_refunds_the_freight_too(user, operator, two_skus):
    order = received_order(user, {two_skus[0]: 1})
    request = sent_back_return(user, operator, order, [(line_of(order, two_skus[0]).pk, 1)], Reason.DAMAGED)

    assert returns.receive_return(request, operator).amount == Decimal("110.00")
    assert Payment.objects.get(order=order).refunded_amount == order.total_amount


def test_two_receipts_at_once_make_one_refund(user, operator, two_skus):
    order = received_order(user, {two_skus[0]: 1})
    request = sent_back_return(user, operator, order, [(line_of(order, two_skus[0]).pk, 1)])
    stock = SKU.objects.get(pk=two_skus[0].pk).stock

    with rival_at(returns.return_receiving, lambda: returns.receive_return(ReturnRequest.objects.get(), operator)):
        with pytest.raises(OrderStateError, match="退货申请已被处理"):
            returns.receive_return(request, operator)

    assert Refund.objects.filter(order=order).count() == 1
    assert SKU.objects.get(pk=two_skus[0].pk).stock == stock + 1


def test_a_refund_beyond_the_payment_undoes_the_receipt(user, operator, two_skus):
    order = received_order(user, {two_skus[0]: 1})
    request = sent_back_return(user, operator, order, [(line_of(order, two_skus[0]).pk, 1)])
    # Another refund has already claimed most of the payment.
    Payment.objects.filter(order=order).update(refunded_amount=Decimal("50.00"))
    stock = SKU.objects.get(pk=two_skus[0].pk).stock

    with pytest.raises(RefundExceedsPayment):
        returns.receive_return(request, operator)

    request.refresh_from_db()
    assert request.status == Status.SENT_BACK
    assert SKU.objects.get(pk=two_skus[0].pk).stock == stock
    assert not Refund.objects.exists()
    assert Payment.objects.get(order=order).refunded_amount == Decimal("50.00")


def test_two_returns_of_the_last_unit_at_once_claim_it_once(user, two_skus):
    order = received_order(user, {two_skus[0]: 1})
    line = line_of(order, two_skus[0]).pk

    with rival_at(
        returns.return_lines_read, lambda: returns.open_return(user, order, [(line, 1)], Reason.NO_REASON)
    ) as rival:
        with pytest.raises(OrderError, match="可退数量已变化"):
            returns.open_return(user, order, [(line, 1)], Reason.QUALITY)

    assert rival[0].reason == Reason.NO_REASON
    assert line_of(order, two_skus[0]).returned_count == 1
    assert ReturnRequest.objects.count() == 1
