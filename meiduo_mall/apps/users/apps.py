from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "meiduo_mall.apps.users"
    label = "users"
    verbose_name = "用户"
