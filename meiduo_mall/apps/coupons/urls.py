from django.urls import path

from . import views

urlpatterns = [
    path("coupons/", views.CouponCentreView.as_view()),
    path("coupons/mine/", views.MyCouponsView.as_view()),
    path("coupons/<int:coupon_id>/claim/", views.CouponClaimView.as_view()),
]
