from django.apps import AppConfig


class CartsConfig(AppConfig):
    name = "meiduo_mall.apps.carts"
    label = "carts"
    verbose_name = "购物车"

    def ready(self):
        from . import signals  # noqa: F401
