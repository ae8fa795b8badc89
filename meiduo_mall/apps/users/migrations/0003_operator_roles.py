"""The back office's three operator roles, as groups with exactly these permissions.

The grant table lives here rather than being read from the models: a migration must give the same
groups whenever it runs, whatever the code looks like by then.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FULL = ("add", "change", "delete", "view")

GOODS_MODELS = (
    "goodscategory",
    "goodschannel",
    "brand",
    "goods",
    "goodsspecification",
    "specificationoption",
    "sku",
    "skuimage",
    "skuspecification",
    "brandalias",
    "searchsynonym",
)
CONTENTS_MODELS = ("contentcategory", "content")

# Read-only "everywhere": every model of the shop apps that the back office shows.
SHOP_MODELS = {
    "goods": GOODS_MODELS,
    "contents": CONTENTS_MODELS,
    "orders": ("orderinfo", "ordergoods", "orderstatuschange", "ordernote"),
    "payment": ("payment",),
    "users": ("user", "address"),
}

ROLES = {
    "商品运营": [("goods", f"{action}_{model}") for model in GOODS_MODELS for action in FULL]
    + [("contents", f"{action}_{model}") for model in CONTENTS_MODELS for action in FULL],
    # No change_orderinfo: an order moves only by the ship and cancel actions, never by editing its fields.
    "订单客服": [
        ("orders", "view_orderinfo"),
        ("orders", "view_ordergoods"),
        ("orders", "ship_order"),
        ("orders", "cancel_order"),
        ("orders", "add_ordernote"),
        ("orders", "view_ordernote"),
        ("orders", "view_orderstatuschange"),
        ("payment", "view_payment"),
        ("users", "view_user"),
        ("users", "view_address"),
    ],
    "数据分析": [(app, f"view_{model}") for app, models in SHOP_MODELS.items() for model in models]
    + [
        ("goods", "export_sku"),
        ("orders", "export_orderinfo"),
        ("users", "export_user"),
        ("admin", "view_logentry"),
    ],
}


def create_roles(apps, schema_editor):
    # On a fresh database the permissions are made only by post_migrate, after every migration has run;
    # make them now from the historical models so the groups can be granted them.
    # create_permissions skips an app without models_module, which historical apps lack; the live apps (as the
    # test database's setup passes them) keep theirs.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        permissions = [
            Permission.objects.using(schema_editor.connection.alias).get(
                content_type__app_label=app_label, codename=codename
            )
            for app_label, codename in grants
        ]
        group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)
        group.permissions.set(permissions)


def delete_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_date_joined_index_export_permission"),
        ("goods", "0004_sku_stock_index_export_permission"),
        ("contents", "0001_initial"),
        ("orders", "0006_shipping_status_history_notes"),
        ("payment", "0002_payment_refund_needed"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
