"""After-sales rights for the operator roles: 订单客服 reviews and receives returns and retries failed refunds,
数据分析 reads the returns and refunds. 商品运营 already changes an SPU, its 7-day return flag included.

Like 0003, the grants are written out here rather than read from the models.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AFTER_SALES_MODELS = ("returnrequest", "returnline", "returnphoto", "refund")

GRANTS = {
    "订单客服": [
        ("orders", "view_returnrequest"),
        ("orders", "view_returnline"),
        ("orders", "view_returnphoto"),
        ("orders", "review_return"),
        ("orders", "receive_return"),
        ("orders", "view_refund"),
        ("orders", "retry_refund"),
    ],
    "数据分析": [("orders", f"view_{model}") for model in AFTER_SALES_MODELS],
}


def grant_after_sales(apps, schema_editor):
    alias = schema_editor.connection.alias
    # On a fresh database the new models' permissions are made only by post_migrate, after every migration;
    # make them now, as 0003 does (historical apps lack models_module, which create_permissions requires).
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0, using=alias)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GRANTS.items():
        group, _ = Group.objects.using(alias).get_or_create(name=name)
        group.permissions.add(
            *(
                Permission.objects.using(alias).get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in grants
            )
        )


def revoke_after_sales(apps, schema_editor):
    alias = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GRANTS.items():
        group = Group.objects.using(alias).filter(name=name).first()
        if group is None:
            continue
        group.permissions.remove(
            *Permission.objects.using(alias).filter(
                content_type__app_label="orders", codename__in=[codename for _, codename in grants]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0003_operator_roles"),
        ("orders", "0007_refunds_and_returns"),
    ]

    operations = [migrations.RunPython(grant_after_sales, revoke_after_sales)]
