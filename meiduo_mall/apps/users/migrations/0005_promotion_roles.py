"""Promotion rights for the operator roles: 商品运营 sets up coupons, grants them and keeps the freight rules;
订单客服 reads coupons, members' coupons and freight rules (to answer a buyer about a discount or a fee); 数据分析
reads all four.

Like 0003 and 0004, the grants are written out here rather than read from the models. Nobody is given
delete_coupon: a coupon handed out stays on record (its admin refuses the delete besides).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "商品运营": [
        ("coupons", "add_coupon"),
        ("coupons", "change_coupon"),
        ("coupons", "view_coupon"),
        ("coupons", "grant_coupon"),
        ("coupons", "view_membercoupon"),
        ("orders", "add_freightrule"),
        ("orders", "change_freightrule"),
        ("orders", "view_freightrule"),
        ("orders", "add_freightsurcharge"),
        ("orders", "change_freightsurcharge"),
        ("orders", "view_freightsurcharge"),
        # Removing a province's row from a rule's surcharges is a delete of that row.
        ("orders", "delete_freightsurcharge"),
    ],
    "订单客服": [
        ("coupons", "view_coupon"),
        ("coupons", "view_membercoupon"),
        ("orders", "view_freightrule"),
        # The rule's page lists its surcharges only to those who may view them.
        ("orders", "view_freightsurcharge"),
    ],
    "数据分析": [
        ("coupons", "view_coupon"),
        ("coupons", "view_membercoupon"),
        ("orders", "view_freightrule"),
        ("orders", "view_freightsurcharge"),
    ],
}


def grant_promotions(apps, schema_editor):
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


def revoke_promotions(apps, schema_editor):
    alias = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GRANTS.items():
        group = Group.objects.using(alias).filter(name=name).first()
        if group is None:
            continue
        for app_label in {app_label for app_label, _ in grants}:
            codenames = [codename for label, codename in grants if label == app_label]
            group.permissions.remove(
                *Permission.objects.using(alias).filter(content_type__app_label=app_label, codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0004_after_sales_roles"),
        ("coupons", "0001_initial"),
        ("orders", "0008_coupons_and_freight"),
    ]

    operations = [migrations.RunPython(grant_promotions, revoke_promotions)]
