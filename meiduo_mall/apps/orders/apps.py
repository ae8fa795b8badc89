from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "meiduo_mall.apps.orders"
    label = "orders"
    verbose_name = "订单"
