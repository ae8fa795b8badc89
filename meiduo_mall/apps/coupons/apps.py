from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "meiduo_mall.apps.coupons"
    label = "coupons"
    verbose_name = "优惠券"

    def ready(self):
        # The scope cache's signal handlers: a change of a template's categories or SPUs moves its version.
        from . import scopes  # noqa: F401
