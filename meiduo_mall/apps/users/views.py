from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.apps.carts.services import guest_cart_store
from meiduo_mall.apps.verifications.serializers import ImageCodeSerializer
from meiduo_mall.apps.verifications.services import check_image_code, issue_sms_code, use_sms_code
from meiduo_mall.utils.exceptions import fields_with_summary, one_line
from meiduo_mall.utils.origins import client_ip
from meiduo_mall.utils.schema import MESSAGE, SHOP_ERROR

from .exceptions import AccountNotFound, LinkExpired
from .models import User
from .profile_views import PASSWORD_CHANGE_SCHEMA, change_password_response
from .serializers import LoginSerializer, RegisterSerializer, ResetPasswordSerializer
from .services import (
    find_account,
    log_in,
    make_reset_token,
    make_sms_token,
    mask_mobile,
    register,
    reset_password,
    user_from_sms_token,
)

TOKEN = inline_serializer(
    "LoginToken",
    {"token": serializers.CharField(), "user_id": serializers.IntegerField(), "username": serializers.CharField()},
)

# The anonymous endpoints below skip authentication: a stale token left in the browser
# must not turn registering or logging in into a 401.


@extend_schema(
    responses=inline_serializer(
        "UsernameCount", {"username": serializers.CharField(), "count": serializers.IntegerField()}
    )
)
class UsernameCountView(APIView):
    """U1"""

    authentication_classes = ()

    def get(self, request, username):
        return Response({"username": username, "count": User.objects.filter(username=username).count()})


@extend_schema(
    responses=inline_serializer("MobileCount", {"mobile": serializers.CharField(), "count": serializers.IntegerField()})
)
class MobileCountView(APIView):
    """U2"""

    authentication_classes = ()

    def get(self, request, mobile):
        return Response({"mobile": mobile, "count": User.objects.filter(mobile=mobile).count()})


REGISTERED = inline_serializer(
    "Registered",
    {
        "id": serializers.IntegerField(),
        "user_id": serializers.IntegerField(),
        "username": serializers.CharField(),
        "mobile": serializers.CharField(),
        "token": serializers.CharField(),
    },
)


class UserView(APIView):
    """U3: register → 201 {id, user_id, username, mobile, token}; the new member starts logged in."""

    authentication_classes = ()
    error_shape = staticmethod(fields_with_summary)

    @extend_schema(request=RegisterSerializer, responses={201: REGISTERED, 400: SHOP_ERROR})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        guest_cart = guest_cart_store(request)
        user, login = register(
            data["username"], data["password"], data["password2"], data["mobile"], data["sms_code"], guest_cart
        )
        # VAR-B pages read `id`, VAR-A pages `user_id`.
        body = {
            "id": user.id,
            "user_id": user.id,
            "username": user.username,
            "mobile": user.mobile,
            "token": login["token"],
        }
        response = Response(body, status=status.HTTP_201_CREATED)
        guest_cart.save(response)
        return response


class LoginView(APIView):
    """L1: log in by username or mobile → {token, user_id, username}."""

    authentication_classes = ()
    error_shape = staticmethod(fields_with_summary)

    @extend_schema(
        request=LoginSerializer,
        parameters=[
            OpenApiParameter("Retry-After", int, OpenApiParameter.HEADER, response=[429], description="seconds to wait")
        ],
        responses={
            200: TOKEN,
            400: SHOP_ERROR,
            429: OpenApiResponse(SHOP_ERROR, description="the login limits hold this client back (登录失败次数过多)"),
        },
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        guest_cart = guest_cart_store(request)
        response = Response(log_in(serializer.validated_data["user"], guest_cart))
        guest_cart.save(response)
        return response


class SMSTokenView(APIView):
    """F1: the captcha is right and the account exists → masked mobile and a token for F2."""

    authentication_classes = ()
    error_shape = one_line

    @extend_schema(
        parameters=[ImageCodeSerializer],
        responses={
            200: inline_serializer(
                "SMSToken", {"mobile": serializers.CharField(), "access_token": serializers.CharField()}
            ),
            400: SHOP_ERROR,
            404: SHOP_ERROR,
        },
    )
    def get(self, request, account):
        captcha = ImageCodeSerializer(data=request.query_params)
        captcha.is_valid(raise_exception=True)
        check_image_code(captcha.validated_data["image_code_id"], captcha.validated_data["text"])
        user = find_account(account)
        if user is None:
            raise AccountNotFound("用户名或手机号不存在")
        return Response({"mobile": mask_mobile(user.mobile), "access_token": make_sms_token(user)})


class SMSCodeByTokenView(APIView):
    """F2: an SMS code to the mobile of the account F1 checked; same keys and limits as V2."""

    authentication_classes = ()
    error_shape = one_line

    @extend_schema(
        operation_id="sms_codes_by_token_retrieve",
        parameters=[OpenApiParameter("access_token", str, required=True)],
        responses={200: MESSAGE, 400: SHOP_ERROR},
    )
    def get(self, request):
        user = user_from_sms_token(request.query_params.get("access_token", ""))
        if user is None:
            raise LinkExpired("链接已失效，请重新验证身份")
        issue_sms_code(user.mobile, client_ip(request))
        return Response({"message": "OK"})


class PasswordTokenView(APIView):
    """F3: the SMS code is right → {user_id, access_token} for F4. The code is spent."""

    authentication_classes = ()
    error_shape = one_line

    @extend_schema(
        parameters=[OpenApiParameter("sms_code", str, required=True)],
        responses={
            200: inline_serializer(
                "PasswordToken", {"user_id": serializers.IntegerField(), "access_token": serializers.CharField()}
            ),
            400: SHOP_ERROR,
            404: SHOP_ERROR,
        },
    )
    def get(self, request, account):
        user = find_account(account)
        if user is None:
            raise AccountNotFound("手机号不存在")
        use_sms_code(user.mobile, request.query_params.get("sms_code", ""))
        return Response({"user_id": user.id, "access_token": make_reset_token(user)})


class UserPasswordView(APIView):
    """/users/<user_id>/password/ — POST (F4) resets a forgotten password with the token of F3;
    PUT (C6) is a logged-in member changing their own password."""

    error_shape = one_line

    def get_permissions(self):
        # F4 is anonymous (the reset token is the credential); C6 needs the member's JWT.
        if self.request.method == "PUT":
            return [IsAuthenticated()]
        return super().get_permissions()

    def perform_authentication(self, request):
        # A stale token left in the browser must not turn an anonymous reset (F4) into a 401.
        if request.method == "PUT":
            super().perform_authentication(request)

    @PASSWORD_CHANGE_SCHEMA
    def put(self, request, user_id):
        return change_password_response(request, user_id)

    @extend_schema(request=ResetPasswordSerializer, responses={200: MESSAGE, 400: SHOP_ERROR})
    def post(self, request, user_id):
        serializer = ResetPasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not reset_password(user_id, data["access_token"], data["password"]):
            raise LinkExpired("链接已失效，请重新找回密码")
        return Response({"message": "OK"})
