from django.urls import re_path

from . import views

urlpatterns = [
    # Some pages omit the trailing slash on the image URL (API.md §8.5).
    re_path(r"^image_codes/(?P<image_code_id>[\w-]{1,64})/?$", views.ImageCodeView.as_view()),
    re_path(r"^sms_codes/(?P<mobile>1[3-9]\d{9})/$", views.SMSCodeView.as_view()),
]
