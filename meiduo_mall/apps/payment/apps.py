from django.apps import AppConfig


class PaymentConfig(AppConfig):
    name = "meiduo_mall.apps.payment"
    label = "payment"
    verbose_name = "支付"

    def ready(self):
        from . import checks  # noqa: F401  registers the deployment checks of the Alipay settings
