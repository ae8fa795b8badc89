from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.apps.carts.services import guest_cart_store
from meiduo_mall.apps.users.services import log_in
from meiduo_mall.apps.verifications.services import use_sms_code
from meiduo_mall.utils.exceptions import ShopError, message_body
from meiduo_mall.utils.schema import MESSAGE, SHOP_ERROR

from . import services
from .clients import get_qq_client
from .exceptions import BindingRefused
from .serializers import QQBindSerializer

LOGIN_URL = inline_serializer("QQLoginURL", {"login_url": serializers.URLField(), "oauth_url": serializers.URLField()})
LOGIN_TOKEN = inline_serializer(
    "QQLoginToken",
    {"token": serializers.CharField(), "user_id": serializers.IntegerField(), "username": serializers.CharField()},
)
BINDING_TOKEN = inline_serializer("QQBindingToken", {"access_token": serializers.CharField()})


def logged_in(request, user):
    guest_cart = guest_cart_store(request)
    response = Response(log_in(user, guest_cart))
    guest_cart.save(response)
    return response


class QQAuthorizationView(APIView):
    """O1: the QQ login URL; QQ sends the shopper back to oauth_callback.html with `state`."""

    authentication_classes = ()

    @extend_schema(
        parameters=[OpenApiParameter("next", str), OpenApiParameter("state", str)],
        responses={200: LOGIN_URL, 503: MESSAGE},
    )
    def get(self, request):
        state = request.query_params.get("next") or request.query_params.get("state") or "/"
        # Only paths of this shop: an absolute URL in `state` would turn the callback into an open redirect.
        if not state.startswith("/") or state.startswith("//"):
            state = "/"
        login_url = get_qq_client().login_url(state)
        return Response({"login_url": login_url, "oauth_url": login_url})


class QQUserView(APIView):
    """O2 (GET ?code=): log in a bound QQ user, or hand out a token for binding. O3 (POST): bind."""

    authentication_classes = ()
    # oauth_callback.js shows `message`: a field error comes first there, then the fields.
    error_shape = message_body

    @extend_schema(
        parameters=[OpenApiParameter("code", str, required=True)],
        responses={
            200: PolymorphicProxySerializer(
                component_name="QQCallback", serializers=[LOGIN_TOKEN, BINDING_TOKEN], resource_type_field_name=None
            ),
            400: SHOP_ERROR,
            503: MESSAGE,
        },
    )
    def get(self, request):
        code = request.query_params.get("code")
        if not code:
            raise ShopError("缺少code")
        openid = get_qq_client().openid(code)
        user = services.user_for_openid(openid)
        if user is None:
            return Response({"access_token": services.sign_openid(openid)})
        return logged_in(request, user)

    @extend_schema(request=QQBindSerializer, responses={200: LOGIN_TOKEN, 400: SHOP_ERROR})
    def post(self, request):
        serializer = QQBindSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        openid = services.openid_from_token(data["access_token"])
        if openid is None:
            raise BindingRefused("无效的access_token")
        use_sms_code(data["mobile"], data["sms_code"])
        user = services.bind_qq_user(openid, data["mobile"], data["password"])
        return logged_in(request, user)
