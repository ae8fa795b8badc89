"""Returns of received goods (7天无理由退货 and the seller's faults), from the member's request to the refund.

Every move of ReturnRequest.status is here and conditional on the status it leaves, so two operators (or a
member and an operator) acting at once find one winner:
1 待审核 → 2 待寄回 (approve_return) or 3 已拒绝 (reject_return, the units become returnable again),
2 → 4 已寄回 (send_back, by the member), 4 → 5 已收货 (receive_return: stock back and the refund requested).

Money: each line refunds what the member paid for its units (line_refund_amount). The freight is refunded
only when the return leaves no unit of the order unreturned and its reason is the seller's fault (SELLERS_FAULT:
quality, not as described, wrong item, damaged); never for a return without reason.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.dispatch import Signal
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from meiduo_mall.apps.goods.models import SKU
from meiduo_mall.apps.payment.models import Payment
from meiduo_mall.utils.tasks import enqueue_after_commit

from . import services
from .exceptions import OrderError, OrderStateError
from .models import OrderGoods, OrderInfo, ReturnLine, ReturnPhoto, ReturnRequest

PRIMARY = services.PRIMARY
Reason = ReturnRequest.Reason
Status = ReturnRequest.Status

RECEIVED_STATUSES = (OrderInfo.Status.UNCOMMENT, OrderInfo.Status.FINISHED)
SELLERS_FAULT = frozenset({Reason.QUALITY, Reason.NOT_AS_DESCRIBED, Reason.WRONG_ITEM, Reason.DAMAGED})
DESCRIPTION_MAX_LENGTH = 500
NOTE_MAX_LENGTH = ReturnRequest._meta.get_field("operator_note").max_length
CARRIER_MAX_LENGTH = ReturnRequest._meta.get_field("carrier").max_length
TRACKING_NUMBER_MAX_LENGTH = ReturnRequest._meta.get_field("tracking_number").max_length
# An order has few lines; a longer list is not a return but a request to be refused before any query.
MAX_LINES = 100
MAX_PHOTOS = 3
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ALREADY_HANDLED = "退货申请已被处理"
CENT = Decimal("0.01")

# The race tests' named points (sender=ReturnRequest): return_lines_read once open_return has read the lines
# it may return, before it claims them; return_reviewing and return_receiving once the caller has read the
# request as waiting for review / for the parcel, before its conditional UPDATE.
return_lines_read = Signal()
return_reviewing = Signal()
return_receiving = Signal()


class ReturnError(OrderError):
    """A return the shop's rules refuse; the message is shown to the member as it is."""


def return_deadline(order):
    """The last moment the order takes a return, or None when it takes none: not received, or paid in cash
    (the refund could not go back through the gateway)."""
    if order.status not in RECEIVED_STATUSES or order.received_time is None:
        return None
    if order.pay_method != OrderInfo.PayMethod.ALIPAY:
        return None
    return order.received_time + timedelta(days=settings.RETURN_DAYS)


def line_refund_amount(order_goods, count):
    """What the member paid for the line's next `count` units, after the `returned_count` already returned: the
    one place a line's refund is priced.

    The line's coupon share comes off the units in proportion, rounded on the running total rather than per
    unit, so however its units are returned, in one go or across several returns, they refund exactly
    price × count − discount."""

    def paid_for_first(units):
        share = (order_goods.discount * units / order_goods.count).quantize(CENT, rounding=ROUND_HALF_UP)
        return order_goods.price * units - share

    before = order_goods.returned_count
    return paid_for_first(before + count) - paid_for_first(before)


def order_payment(order):
    """The gateway payment that paid the order (not a stray trade kept for its own refund), or None."""
    return (
        Payment.objects.using(PRIMARY)
        .filter(order_id=order.pk, refund_needed=False, amount__gt=0)
        .order_by("id")
        .first()
    )


def returnable_lines(order):
    """The lines of an order that takes returns (with returned_count: what is left of each), for the member's
    page; refuses an order past its deadline or not received as open_return would."""
    _check_order_takes_returns(order, timezone.now())
    return list(OrderGoods.objects.using(PRIMARY).filter(order_id=order.pk).select_related("sku__goods").order_by("id"))


def _check_order_takes_returns(order, now):
    if order.pay_method != OrderInfo.PayMethod.ALIPAY:
        raise ReturnError("货到付款订单请联系客服办理退货")
    deadline = return_deadline(order)
    if deadline is None:
        raise ReturnError("订单当前不能退货")
    if now > deadline:
        raise ReturnError(f"已超过{settings.RETURN_DAYS}天退货期限")


def _checked_counts(lines):
    """{order_goods_id: count} of the requested lines; refuses an empty, duplicated or non-positive list."""
    if not lines:
        raise ReturnError("请选择要退货的商品")
    if len(lines) > MAX_LINES:
        raise ReturnError("退货商品过多")
    counts = {}
    for order_goods_id, count in lines:
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ReturnError("退货数量无效")
        if order_goods_id in counts:
            raise ReturnError("退货商品重复")
        counts[order_goods_id] = count
    return counts


def _checked_photos(photos):
    """The photos as (file, extension): real JPEG, PNG or WebP images of at most 5 MB, three at most."""
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise ReturnError(f"最多上传{MAX_PHOTOS}张照片")
    checked = []
    for photo in photos:
        if photo.size > PHOTO_MAX_BYTES:
            raise ReturnError("每张照片不能超过5MB")
        try:
            photo.seek(0)
            with Image.open(photo) as image:
                image_format = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ReturnError("请上传JPG、PNG或WebP格式的图片") from None
        if image_format not in PHOTO_FORMATS:
            raise ReturnError("请上传JPG、PNG或WebP格式的图片")
        photo.seek(0)
        checked.append((photo, PHOTO_FORMATS[image_format]))
    return checked


def open_return(user, order, lines, reason, description="", photos=()):
    """The member asks to return `lines` ([(order_goods_id, count)]) of a received order; returns the request.

    Each line's units are claimed with a conditional UPDATE of its returned_count, so two requests at once never
    return one unit twice; a line that cannot give its units rolls the whole request back.
    """
    if order.user_id != user.id:
        raise ReturnError("订单不存在", status_code=404)
    now = timezone.now()
    _check_order_takes_returns(order, now)
    if reason not in Reason.values:
        raise ReturnError("请选择退货原因")
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ReturnError(f"问题描述不能超过{DESCRIPTION_MAX_LENGTH}个字")
    counts = _checked_counts(lines)
    photos = _checked_photos(photos)
    order_lines = {
        line.pk: line
        for line in OrderGoods.objects.using(PRIMARY)
        .filter(order_id=order.pk, pk__in=list(counts))
        .select_related("sku__goods")
    }
    for order_goods_id, count in counts.items():
        line = order_lines.get(order_goods_id)
        if line is None:
            raise ReturnError("订单中没有该商品")
        if count > line.count - line.returned_count:
            raise ReturnError(f"{line.sku.name} 最多可退{max(line.count - line.returned_count, 0)}件")
        if reason == Reason.NO_REASON and not line.sku.goods.returnable:
            raise ReturnError(f"{line.sku.name}：该商品不支持7天无理由退货")
    return_lines_read.send(sender=ReturnRequest, order=order)
    with transaction.atomic(using=PRIMARY):
        for order_goods_id in sorted(counts):
            claimed = (
                OrderGoods.objects.using(PRIMARY)
                .filter(pk=order_goods_id, returned_count__lte=F("count") - counts[order_goods_id])
                .update(returned_count=F("returned_count") + counts[order_goods_id], update_time=now)
            )
            if not claimed:
                raise ReturnError(f"{order_lines[order_goods_id].sku.name} 的可退数量已变化，请刷新后重试")
        # The units returned before this claim, read under the claim's row locks: another return may have
        # claimed some since the lines were read, and the refund prices the units by their place in the line.
        claimed_now = OrderGoods.objects.using(PRIMARY).filter(pk__in=list(counts)).values_list("pk", "returned_count")
        for order_goods_id, returned_count in claimed_now:
            order_lines[order_goods_id].returned_count = returned_count - counts[order_goods_id]
        amounts = {i: line_refund_amount(order_lines[i], n) for i, n in counts.items()}
        refund_amount = sum(amounts.values(), Decimal("0.00"))
        if reason in SELLERS_FAULT and _whole_order_returned(order):
            refund_amount += order.freight
        return_request = ReturnRequest.objects.using(PRIMARY).create(
            order=order, user=user, reason=reason, description=description, refund_amount=refund_amount
        )
        ReturnLine.objects.using(PRIMARY).bulk_create(
            ReturnLine(return_request=return_request, order_goods_id=i, count=counts[i], amount=amounts[i])
            for i in sorted(counts)
        )
        for n, (photo, extension) in enumerate(photos, start=1):
            saved = ReturnPhoto(return_request=return_request)
            # Through the field, so the storage backend (local disk, FastDFS) names and keeps the file.
            saved.image.save(f"returns/{return_request.pk}-{n}.{extension}", photo, save=False)
            saved.save(using=PRIMARY)
    return return_request


def _whole_order_returned(order):
    """Whether, with the units just claimed, no unit of the order is left unreturned."""
    return not OrderGoods.objects.using(PRIMARY).filter(order_id=order.pk, returned_count__lt=F("count")).exists()


def _checked_note(note):
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ReturnError(f"审核说明不能超过{NOTE_MAX_LENGTH}个字")
    return note


def _move(return_request, from_status, to_status, **fields):
    """The conditional UPDATE of one move; False when another hand moved the request first."""
    moved = (
        ReturnRequest.objects.using(PRIMARY)
        .filter(pk=return_request.pk, status=from_status)
        .update(status=to_status, update_time=timezone.now(), **fields)
    )
    if moved:
        return_request.status = to_status
        for name, value in fields.items():
            setattr(return_request, name, value)
    return bool(moved)


def approve_return(return_request, operator, note=""):
    """订单客服 accepts the request (1 → 2); the member is told by SMS to send the parcel back."""
    note = _checked_note(note)
    return_reviewing.send(sender=ReturnRequest, return_request=return_request)
    with transaction.atomic(using=PRIMARY):
        if not _move(
            return_request,
            Status.REQUESTED,
            Status.APPROVED,
            operator=operator,
            operator_note=note,
            reviewed_time=timezone.now(),
        ):
            raise OrderStateError(ALREADY_HANDLED)
        mobile = return_request.user.mobile if return_request.user_id else ""
        enqueue_after_commit(
            "send_after_sales_sms",
            mobile,
            "return_approved",
            {"order_id": return_request.order_id, "return_id": return_request.pk},
        )
    return return_request


def reject_return(return_request, operator, note=""):
    """订单客服 refuses the request (1 → 3) with a note; its units may be returned again."""
    note = _checked_note(note)
    if not note:
        raise ReturnError("请填写拒绝原因")
    return_reviewing.send(sender=ReturnRequest, return_request=return_request)
    with transaction.atomic(using=PRIMARY):
        if not _move(
            return_request,
            Status.REQUESTED,
            Status.REJECTED,
            operator=operator,
            operator_note=note,
            reviewed_time=timezone.now(),
        ):
            raise OrderStateError(ALREADY_HANDLED)
        for order_goods_id, count in return_request.lines.using(PRIMARY).values_list("order_goods_id", "count"):
            OrderGoods.objects.using(PRIMARY).filter(pk=order_goods_id).update(
                returned_count=F("returned_count") - count
            )
    return return_request


def send_back(return_request, user, carrier, tracking_number):
    """The member sends the approved return's parcel (2 → 4) with its carrier and tracking number."""
    if return_request.user_id != user.id:
        raise ReturnError("退货申请不存在", status_code=404)
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    if not carrier or len(carrier) > CARRIER_MAX_LENGTH:
        raise ReturnError("请填写快递公司")
    if not tracking_number or len(tracking_number) > TRACKING_NUMBER_MAX_LENGTH:
        raise ReturnError("请填写快递单号")
    if not _move(
        return_request,
        Status.APPROVED,
        Status.SENT_BACK,
        carrier=carrier,
        tracking_number=tracking_number,
        sent_back_time=timezone.now(),
    ):
        raise OrderStateError("退货申请当前不能填写寄回信息")
    return return_request


def receive_return(return_request, operator):
    """The warehouse has the parcel (4 → 5): the units go back to stock and the return's refund is requested,
    in one transaction; a refund the payment cannot cover (RefundExceedsPayment) undoes it all."""
    return_receiving.send(sender=ReturnRequest, return_request=return_request)
    order = OrderInfo.objects.using(PRIMARY).get(pk=return_request.order_id)
    payment = order_payment(order)
    if payment is None:
        raise ReturnError("订单没有可退款的支付记录")
    with transaction.atomic(using=PRIMARY):
        if not _move(return_request, Status.SENT_BACK, Status.RECEIVED, received_time=timezone.now()):
            raise OrderStateError(ALREADY_HANDLED)
        _give_stock_back(return_request)
        return services.request_refund(
            order,
            payment,
            return_request.refund_amount,
            f"退货 {return_request.pk}",
            return_request=return_request,
            operator=operator,
        )


def _give_stock_back(return_request):
    counts = defaultdict(int)
    for sku_id, count in return_request.lines.using(PRIMARY).values_list("order_goods__sku_id", "count"):
        counts[sku_id] += count
    each = Case(*(When(pk=sku_id, then=Value(n)) for sku_id, n in counts.items()), output_field=IntegerField())
    SKU.objects.using(PRIMARY).filter(pk__in=counts).update(stock=F("stock") + each, sales=F("sales") - each)
