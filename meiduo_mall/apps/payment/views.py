import logging

from django.db import DatabaseError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.apps.payment import services
from meiduo_mall.apps.payment.exceptions import PaymentUnavailable
from meiduo_mall.utils.exceptions import json_error
from meiduo_mall.utils.origins import pages_origin
from meiduo_mall.utils.schema import MESSAGE, SHOP_ERROR

logger = logging.getLogger("meiduo.payment")

RETURN_PARAMETERS = [
    OpenApiParameter(name, str, OpenApiParameter.QUERY, required=True)
    for name in ("out_trade_no", "trade_no", "total_amount", "app_id", "sign", "sign_type")
]


class PaymentURLView(APIView):
    """P4: the Alipay URL for one of the member's unpaid Alipay orders."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer("AlipayURL", {"alipay_url": serializers.URLField()}),
            400: SHOP_ERROR,
            503: MESSAGE,
        }
    )
    def get(self, request, order_id):
        return Response({"alipay_url": services.alipay_url_for(request.user, order_id, pages_origin(request))})


@csrf_exempt
@require_POST
def alipay_notify(request):
    """Alipay's server-to-server notice (form-encoded); Alipay reads the plain-text reply."""
    try:
        accepted = services.accept_alipay_notice(request.POST.dict())
    except DatabaseError:
        # Alipay sends the notice again later; `fail` asks for exactly that.
        logger.exception("alipay notice not processed: database unavailable")
        return HttpResponse("fail", content_type="text/plain", status=503)
    except PaymentUnavailable as exc:
        # Anything but `success` makes Alipay send the notice again (8 times over 25 hours): time to fix the keys.
        return json_error(exc)
    return HttpResponse("success" if accepted else "fail", content_type="text/plain")


class PaymentStatusView(APIView):
    """P5: the browser comes back from Alipay with signed parameters in the query string."""

    # The page sends whatever token it holds (even an expired one); the signature is the proof here.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=None,
        parameters=RETURN_PARAMETERS,
        responses={
            200: inline_serializer("PaymentTrade", {"trade_id": serializers.CharField()}),
            400: SHOP_ERROR,
            403: SHOP_ERROR,
            503: MESSAGE,
        },
    )
    def put(self, request):
        return Response({"trade_id": services.confirm_alipay_return(request.query_params.dict())})
