"""Pages a gateway serves itself; each answers 404 unless its gateway is the configured one."""

from django.urls import path

from meiduo_mall.apps.payment.gateways import sandbox

urlpatterns = [
    path("payment/sandbox/gateway/", sandbox.gateway, name="alipay-sandbox-gateway"),
    path("payment/sandbox/gateway.do", sandbox.openapi, name="alipay-sandbox-openapi"),
]
