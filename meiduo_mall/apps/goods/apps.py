from django.apps import AppConfig


class GoodsConfig(AppConfig):
    name = "meiduo_mall.apps.goods"
    label = "goods"
    verbose_name = "商品"
