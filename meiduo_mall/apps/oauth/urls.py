from django.urls import path

from . import views

urlpatterns = [
    path("qq/authorization/", views.QQAuthorizationView.as_view(), name="qq-authorization"),
    path("qq/user/", views.QQUserView.as_view(), name="qq-user"),
]
