"""The three operator roles of the back office: what each group holds, and that each can do exactly that."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

GOODS_MODELS = (
    "goodscategory", "goodschannel", "brand", "goods", "goodsspecification", "specificationoption",
    "sku", "skuimage", "skuspecification", "brandalias", "searchsynonym",
)  # fmt: skip
CONTENTS_MODELS = ("contentcategory", "content")
SHOP_MODELS = {
    "goods": GOODS_MODELS,
    "contents": CONTENTS_MODELS,
    "orders": ("orderinfo", "ordergoods", "orderstatuschange", "ordernote"),
    "payment": ("payment",),
    "users": ("user", "address"),
}
CRUD = ("add", "change", "delete", "view")


def granted(name):
    group = Group.objects.get(name=name)
    return {f"{app_label}.{codename}" for app_label, codename in group.permissions.values_list(
        "content_type__app_label", "codename"
    )}  # fmt: skip


def test_the_migration_makes_the_three_roles_with_exactly_their_permissions():
    assert granted("商品运营") == {f"goods.{action}_{model}" for model in GOODS_MODELS for action in CRUD} | {
        f"contents.{action}_{model}" for model in CONTENTS_MODELS for action in CRUD
    }
    assert granted("订单客服") == {
        "orders.view_orderinfo", "orders.view_ordergoods", "orders.ship_order", "orders.cancel_order",
        "orders.add_ordernote", "orders.view_ordernote", "orders.view_orderstatuschange",
        "payment.view_payment", "users.view_user", "users.view_address",
    }  # fmt: skip
    assert granted("数据分析") == {
        f"{app_label}.view_{model}" for app_label, models in SHOP_MODELS.items() for model in models
    } | {"goods.export_sku", "orders.export_orderinfo", "users.export_user", "admin.view_logentry"}
