from django.urls import path, re_path

from meiduo_mall.utils.mobile import MOBILE

from . import views

urlpatterns = [
    # Some pages omit the trailing slash on the image URL.
    re_path(r"^image_codes/(?P<image_code_id>[\w-]{1,64})/?$", views.ImageCodeView.as_view()),
    path(f"sms_codes/<{MOBILE}:mobile>/", views.SMSCodeView.as_view()),
]
