from django.apps import AppConfig


class ContentsConfig(AppConfig):
    name = "meiduo_mall.apps.contents"
    label = "contents"
    verbose_name = "广告内容"
