from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "meiduo_mall.apps.coupons"
    label = "coupons"
    verbose_name = "优惠券"
