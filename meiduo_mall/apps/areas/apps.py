from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "meiduo_mall.apps.areas"
    label = "areas"
