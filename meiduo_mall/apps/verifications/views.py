from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from meiduo_mall.utils.exceptions import one_line
from meiduo_mall.utils.origins import client_ip
from meiduo_mall.utils.schema import MESSAGE, SHOP_ERROR

from .serializers import ImageCodeSerializer
from .services import check_image_code, create_image_code, issue_sms_code


class ImageCodeView(APIView):
    """V1: the captcha image; its text waits in Redis as img_<uuid> for five minutes."""

    authentication_classes = ()

    @extend_schema(responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="验证码图片")})
    def get(self, request, image_code_id):
        response = HttpResponse(create_image_code(image_code_id), content_type="image/jpeg")
        response["Cache-Control"] = "no-store"
        return response


class SMSCodeView(APIView):
    """V2: an SMS code for `mobile`; with `text` and `image_code_id` (VAR-A) the captcha is checked first."""

    authentication_classes = ()
    error_shape = one_line

    @extend_schema(
        parameters=[ImageCodeSerializer(required=False)],
        responses={200: MESSAGE, 400: SHOP_ERROR},
        description="VAR-A sends text and image_code_id (checked first); VAR-B sends neither.",
    )
    def get(self, request, mobile):
        params = request.query_params
        if "text" in params or "image_code_id" in params:
            captcha = ImageCodeSerializer(data=params)
            captcha.is_valid(raise_exception=True)
            check_image_code(captcha.validated_data["image_code_id"], captcha.validated_data["text"])
        issue_sms_code(mobile, client_ip(request))
        return Response({"message": "OK"})
