from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "meiduo_mall.apps.users"
    label = "users"
    verbose_name = "用户"

    def ready(self):
        from meiduo_mall.utils import checks  # noqa: F401  registers the shop's deployment checks

        from . import schema  # noqa: F401  registers the OpenAPI description of our JWT authentication
