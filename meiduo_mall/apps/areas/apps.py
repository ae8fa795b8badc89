from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "meiduo_mall.apps.areas"
    label = "areas"
    verbose_name = "省市区"
