from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from meiduo_mall.apps.goods.models import SKU

from .stores import SKU_FACTS


@receiver([post_save, post_delete], sender=SKU)
def forget_cart_sku(sender, instance, **kwargs):
    """A saved or deleted SKU must not be judged on its old stock or launch state by the cart."""
    sku_id = instance.id
    transaction.on_commit(lambda: SKU_FACTS.forget(sku_id))
