"""After-sales rights for the operator roles: 订单客服 reviews and receives returns and retries failed refunds,
数据分析 reads the returns and refunds. 商品运营 already changes an SPU, its 7-day return flag included.

Like 0003, the grants are written out here rather than read from the models.
"""

from django.db import migrations

from meiduo_mall.apps.users.role_grants import grant, revoke

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
    grant(apps, schema_editor, GRANTS)


def revoke_after_sales(apps, schema_editor):
    revoke(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0003_operator_roles"),
        ("orders", "0007_refunds_and_returns"),
    ]

    operations = [migrations.RunPython(grant_after_sales, revoke_after_sales)]
