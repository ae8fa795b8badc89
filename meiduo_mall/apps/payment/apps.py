from django.apps import AppConfig


class PaymentConfig(AppConfig):
    name = "meiduo_mall.apps.payment"
    label = "payment"
    verbose_name = "支付"
