from django.urls import path, re_path

from meiduo_mall.apps.payment import views
from meiduo_mall.apps.payment.gateways import urls as gateway_urls

urlpatterns = [
    re_path(r"^orders/(?P<order_id>\d+)/payment/$", views.PaymentURLView.as_view(), name="order-payment"),
    path("payment/notify/", views.alipay_notify, name="alipay-notify"),
    path("payment/status/", views.PaymentStatusView.as_view(), name="payment-status"),
    *gateway_urls.urlpatterns,
]
