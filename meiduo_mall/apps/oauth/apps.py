from django.apps import AppConfig


class OauthConfig(AppConfig):
    name = "meiduo_mall.apps.oauth"
    label = "oauth"
    verbose_name = "第三方登录"
