"""User centre: profile (C1), e-mail (C2) and its verification link (C3), password change (C6)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.utils.exceptions import one_line
from meiduo_mall.utils.origins import pages_origin
from meiduo_mall.utils.schema import MESSAGE, SHOP_ERROR

from .email_verification import change_email, verify_email
from .exceptions import EmailVerificationFailed, NotOwnAccount
from .profile_serializers import ChangePasswordSerializer, EmailSerializer, UserDetailSerializer

PASSWORD_CHANGE_SCHEMA = extend_schema(
    request=ChangePasswordSerializer, responses={200: MESSAGE, 400: SHOP_ERROR, 403: SHOP_ERROR}
)


class UserDetailView(APIView):
    """C1 `GET /user/`"""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserDetailSerializer)
    def get(self, request):
        return Response(UserDetailSerializer(request.user).data)


class EmailView(APIView):
    """C2 `PUT /email/` (and `/emails/`) → {id, email}; the verification mail leaves after commit."""

    permission_classes = [IsAuthenticated]
    error_shape = one_line

    @extend_schema(
        request=EmailSerializer,
        responses={
            200: inline_serializer("EmailSaved", {"id": serializers.IntegerField(), "email": serializers.EmailField()}),
            400: SHOP_ERROR,
        },
    )
    def put(self, request):
        serializer = EmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change_email(request.user, serializer.validated_data["email"], pages_origin(request))
        return Response({"id": request.user.id, "email": request.user.email})


class VerifyEmailView(APIView):
    """C3 `GET /emails/verification/?token=` — the link from the mail; the token is the credential."""

    authentication_classes = ()
    error_shape = one_line

    @extend_schema(
        parameters=[OpenApiParameter("token", OpenApiTypes.STR, required=True)],
        responses={200: MESSAGE, 400: SHOP_ERROR},
    )
    def get(self, request):
        token = request.query_params.get("token")
        if not token:
            raise EmailVerificationFailed("缺少token")
        verify_email(token)
        return Response({"message": "OK"})


def change_password_response(request, user_id=None):
    """C6 for every path a client uses. Tokens issued before the change stop working (see authentication.py).
    The views that call it answer errors in `one_line`."""
    if user_id is not None and user_id != request.user.id:
        raise NotOwnAccount
    serializer = ChangePasswordSerializer(request.user, data=request.data)
    serializer.is_valid(raise_exception=True)
    serializer.save()
    return Response({"message": "OK"})


class PasswordChangeAlias(APIView):
    """C6 as one client calls it; the canonical `PUT /users/<id>/password/` is `views.UserPasswordView.put`.
    Each alias answers only the method its client sends, others 405."""

    permission_classes = [IsAuthenticated]
    error_shape = one_line


class ChangePasswordView(PasswordChangeAlias):
    """`POST /password/`."""

    @PASSWORD_CHANGE_SCHEMA
    def post(self, request):
        return change_password_response(request)


class ResetPasswordView(PasswordChangeAlias):
    """`PUT /users/<id>/resetpassword/`."""

    @PASSWORD_CHANGE_SCHEMA
    def put(self, request, user_id):
        return change_password_response(request, user_id)
