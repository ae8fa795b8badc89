"""Promotion rights for the operator roles: 商品运营 sets up coupons, grants them and keeps the freight rules;
订单客服 reads coupons, members' coupons and freight rules (to answer a buyer about a discount or a fee); 数据分析
reads all four.

Like 0003 and 0004, the grants are written out here rather than read from the models. Nobody is given
delete_coupon: a coupon handed out stays on record (its admin refuses the delete besides).
"""

from django.db import migrations

from meiduo_mall.apps.users.role_grants import grant, revoke

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
    grant(apps, schema_editor, GRANTS)


def revoke_promotions(apps, schema_editor):
    revoke(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0004_after_sales_roles"),
        ("coupons", "0001_initial"),
        ("orders", "0008_coupons_and_freight"),
    ]

    operations = [migrations.RunPython(grant_promotions, revoke_promotions)]
