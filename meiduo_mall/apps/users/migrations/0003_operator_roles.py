"""The back office's three operator roles, as groups with exactly these permissions.

The grant table lives here rather than being read from the models: a migration must give the same
groups whenever it runs, whatever the code looks like by then.
"""

from django.db import migrations

from meiduo_mall.apps.users.role_grants import make_permissions, permissions_named

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
    alias = schema_editor.connection.alias
    make_permissions(apps, alias)
    Group = apps.get_model("auth", "Group")
    for name, grants in ROLES.items():
        group, _ = Group.objects.using(alias).get_or_create(name=name)
        group.permissions.set(permissions_named(apps, alias, grants))


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
