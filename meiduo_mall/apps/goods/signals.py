"""Catalog changes, wherever they come from (back office, shell, commands): bump the list cache
version and regenerate the affected detail pages once the change is committed."""

import logging

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from redis.exceptions import RedisError

from meiduo_mall.utils.tasks import enqueue

from . import models, services

logger = logging.getLogger("meiduo")


def send_detail_page_tasks(sku_ids):
    for sku_id in sku_ids:
        try:
            enqueue("regenerate_detail_html", sku_id)
        except Exception:
            # The change itself is committed; a page missed here is rebuilt by regenerate_detail_html.
            logger.exception("could not queue the detail page of SKU %s", sku_id)


def regenerate_detail_pages_on_commit(sku_ids=(), goods_id=None, goods_of_sku=None, goods_of_spec=None):
    """After commit, queue the pages of `sku_ids` and of every SKU of the SPU (given directly, or as the SPU of
    the SKU `goods_of_sku` or of the specification `goods_of_spec`): siblings link to each other through their
    spec options. The lookups wait for the commit too, so a save inside a transaction costs no extra query."""

    def queue():
        spu_id = goods_id
        if goods_of_sku is not None:
            spu_id = models.SKU.objects.filter(id=goods_of_sku).values_list("goods_id", flat=True).first()
        if goods_of_spec is not None:
            spu_id = (
                models.GoodsSpecification.objects.filter(id=goods_of_spec).values_list("goods_id", flat=True).first()
            )
        ids = set(sku_ids)
        if spu_id is not None:
            ids.update(models.SKU.objects.filter(goods_id=spu_id).values_list("id", flat=True))
        send_detail_page_tasks(sorted(ids))

    transaction.on_commit(queue)


@receiver([post_save, post_delete], sender=models.SKU)
@receiver([post_save, post_delete], sender=models.Goods)
@receiver([post_save, post_delete], sender=models.GoodsCategory)
@receiver([post_save, post_delete], sender=models.GoodsChannel)  # its URL is the breadcrumb's first level
@receiver([post_save, post_delete], sender=models.Brand)  # its name is in the category's brands (G6)
def catalog_changed(sender, **kwargs):
    transaction.on_commit(bump_again)


@receiver([pre_save, pre_delete], sender=models.SKU)
@receiver([pre_save, pre_delete], sender=models.Goods)
@receiver([pre_save, pre_delete], sender=models.GoodsCategory)
@receiver([pre_save, pre_delete], sender=models.GoodsChannel)
@receiver([pre_save, pre_delete], sender=models.Brand)
def catalog_changing(sender, **kwargs):
    """Bump before the change is written, so that a Redis it cannot reach refuses the change (the RedisError):
    written without a bump, the answers cached before it would be served again once a stalled Redis answers,
    for up to their hour."""
    services.bump_catalog_version()


def bump_again():
    """After the commit: a read between the first bump and the commit may have cached the old rows."""
    try:
        services.bump_catalog_version()
    except RedisError as exc:
        logger.error("catalog version not bumped again after a change: %r", exc)


@receiver([post_save, post_delete], sender=models.SKU)
def sku_changed(sender, instance, **kwargs):
    regenerate_detail_pages_on_commit([instance.id], goods_id=instance.goods_id)


@receiver(post_save, sender=models.SKUImage)
def sku_image_saved(sender, instance, **kwargs):
    # A SKU without a picture of its own shows its first gallery image in lists.
    # `__in` cannot match NULL, and the back office saves a blank default image as NULL.
    no_picture = Q(default_image_url="") | Q(default_image_url__isnull=True)
    models.SKU.objects.filter(no_picture, id=instance.sku_id).update(default_image_url=instance.image.url)
    regenerate_detail_pages_on_commit([instance.sku_id])


@receiver(post_delete, sender=models.SKUImage)
def sku_image_deleted(sender, instance, **kwargs):
    regenerate_detail_pages_on_commit([instance.sku_id])


@receiver([post_save, post_delete], sender=models.SKUSpecification)
def sku_specification_changed(sender, instance, **kwargs):
    regenerate_detail_pages_on_commit([instance.sku_id], goods_of_sku=instance.sku_id)


@receiver([post_save, post_delete], sender=models.Goods)
def goods_changed(sender, instance, **kwargs):
    regenerate_detail_pages_on_commit(goods_id=instance.id)


@receiver([post_save, post_delete], sender=models.GoodsSpecification)
def specification_changed(sender, instance, **kwargs):
    regenerate_detail_pages_on_commit(goods_id=instance.goods_id)


@receiver([post_save, post_delete], sender=models.SpecificationOption)
def option_changed(sender, instance, **kwargs):
    regenerate_detail_pages_on_commit(goods_of_spec=instance.spec_id)
