from django.apps import AppConfig


class GoodsConfig(AppConfig):
    name = "meiduo_mall.apps.goods"
    label = "goods"
    verbose_name = "商品"

    def ready(self):
        from . import signals  # noqa: F401
