from django.apps import AppConfig


class OauthConfig(AppConfig):
    name = "meiduo_mall.apps.oauth"
    label = "oauth"
