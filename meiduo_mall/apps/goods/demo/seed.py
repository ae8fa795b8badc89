"""Writes the demo catalog (catalog.py) with its pictures (images.py), and bulk SKUs for benchmarks."""

import hashlib
import itertools
import random
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db.models import Max

from .. import models
from ..search.terms import add_common_terms
from ..services import bump_catalog_version
from . import catalog
from .icons import icon_for
from .images import draw_product, save_image

BULK_CAPTION = "批量生成的测试商品"
BULK_CATEGORIES = 5
BATCH_SIZE = 5000


def parse_channel(line):
    """ "名称: 二级(三级,…) …" → ("名称", [("二级", ["三级", …]), …])"""
    name, rest = line.split(":", 1)
    subs = []
    for part in rest.split(")"):
        if "(" in part:
            cat2, cat3s = part.strip().split("(")
            subs.append((cat2.strip(), [c.strip() for c in cat3s.split(",")]))
    return name.strip(), subs


def seed_catalog():
    """The category tree, channels, brands and SPUs with their SKUs; returns the new SKU ids."""
    categories = {}
    for group_id, channels in enumerate(catalog.CHANNEL_GROUPS, start=1):
        for sequence, line in enumerate(channels, start=1):
            categories.update(seed_channel(group_id, sequence, line))
    brands = models.Brand.objects.bulk_create(
        [models.Brand(name=name, first_letter=letter, logo="") for name, letter in catalog.BRANDS]
    )
    brands = {brand.name: brand for brand in brands}
    add_common_terms(models.Brand, models.BrandAlias, models.SearchSynonym)
    rng = random.Random(20261123)
    sku_ids = []
    for spu in catalog.GOODS:
        sku_ids += seed_goods(spu, categories, brands, rng)
    return sku_ids


def seed_channel(group_id, sequence, line):
    """One level-1 category with its subtree and channel; returns {(cat1, cat2, cat3 names): categories}."""
    name, subs = parse_channel(line)
    cat1 = models.GoodsCategory.objects.create(name=name)
    cat2s = models.GoodsCategory.objects.bulk_create([models.GoodsCategory(name=cat2, parent=cat1) for cat2, _ in subs])
    cat3s = models.GoodsCategory.objects.bulk_create(
        [
            models.GoodsCategory(name=cat3, parent=cat2)
            for cat2, (_, names) in zip(cat2s, subs, strict=True)
            for cat3 in names
        ]
    )
    categories = {}
    for cat3 in cat3s:
        parent = next(cat2 for cat2 in cat2s if cat2.id == cat3.parent_id)
        categories[(name, parent.name, cat3.name)] = (cat1, parent, cat3)
    models.GoodsChannel.objects.create(
        group_id=group_id, category=cat1, url=f"/list.html?cat={cat3s[0].id}", sequence=sequence
    )
    return categories


def seed_goods(spu, categories, brands, rng):
    name, brand, path, base_price, spec_options, caption = spu
    cat1, cat2, cat3 = categories[path]
    goods = models.Goods.objects.create(
        name=name,
        brand=brands[brand],
        category1=cat1,
        category2=cat2,
        category3=cat3,
        desc_detail=catalog.GOODS_DESC.format(name=name, caption=caption),
        desc_pack=catalog.GOODS_PACK,
        desc_service=catalog.GOODS_SERVICE,
    )
    specs = []
    for spec_name, values in spec_options.items():
        spec = models.GoodsSpecification.objects.create(goods=goods, name=spec_name)
        options = models.SpecificationOption.objects.bulk_create(
            [models.SpecificationOption(spec=spec, value=value) for value in values]
        )
        specs.append((spec, options))
    sku_ids = []
    for index, combination in enumerate(itertools.product(*[options for _, options in specs])):
        values = [option.value for option in combination]
        step = sum(i * 0.12 for i, _ in enumerate(values)) + index * 0.03
        price = Decimal(round(base_price * (1 + step))).quantize(Decimal("0.00"))
        pictures = product_pictures(goods, values[0], icon_for(cat3.name, cat2.name, cat1.name))
        sku = models.SKU.objects.bulk_create(
            [
                models.SKU(
                    name=f"{name} {' '.join(values)}"[:50],
                    caption=caption,
                    goods=goods,
                    category=cat3,
                    price=price,
                    cost_price=(price * Decimal("0.7")).quantize(Decimal("0.00")),
                    market_price=(price * Decimal("1.15")).quantize(Decimal("0.00")),
                    stock=rng.randint(20, 500),
                    sales=rng.randint(0, 3000),
                    comments=rng.randint(0, 200),
                    default_image_url=default_storage.url(pictures[0]),
                )
            ]
        )[0]
        models.SKUSpecification.objects.bulk_create(
            [
                models.SKUSpecification(sku=sku, spec=spec, option=option)
                for (spec, _), option in zip(specs, combination, strict=True)
            ]
        )
        models.SKUImage.objects.bulk_create([models.SKUImage(sku=sku, image=picture) for picture in pictures])
        sku_ids.append(sku.id)
    return sku_ids


def product_pictures(goods, variant, icon):
    """Four views of the SPU in one variant (shared by the SKUs that look the same), drawn as `icon`."""
    return [
        save_image(
            f"skus/goods{goods.id}-{hashlib.md5(variant.encode()).hexdigest()[:8]}-{view}.jpg",
            draw_product(goods.name, variant, view, icon),
        )
        for view in range(4)
    ]


def seed_bulk_skus(wanted, report):
    """Top the bulk SKUs up to `wanted`, spread over the categories of the first demo SPUs; `report`
    receives one progress line at a time."""
    existing = models.SKU.objects.filter(caption=BULK_CAPTION).count()
    missing = wanted - existing
    if missing <= 0:
        report(f"{existing} bulk SKUs already there")
        return
    sources = list(models.SKU.objects.exclude(caption=BULK_CAPTION).select_related("goods").order_by("id"))
    seen, templates = set(), []
    for sku in sources:
        if sku.category_id not in seen:
            seen.add(sku.category_id)
            templates.append(sku)
    templates = templates[:BULK_CATEGORIES]
    rng = random.Random(existing)
    start = (models.SKU.objects.aggregate(Max("id"))["id__max"] or 0) + 1
    for batch_start in range(0, missing, BATCH_SIZE):
        batch = []
        for number in range(batch_start, min(missing, batch_start + BATCH_SIZE)):
            template = templates[number % len(templates)]
            price = Decimal(rng.randint(1000, 1000000)) / 100
            batch.append(
                models.SKU(
                    name=f"{template.goods.name} 批量款{start + number}"[:50],
                    caption=BULK_CAPTION,
                    goods_id=template.goods_id,
                    category_id=template.category_id,
                    price=price,
                    cost_price=price,
                    market_price=price,
                    stock=rng.randint(0, 1000),
                    sales=rng.randint(0, 100000),
                    comments=0,  # no reviews behind them, so none counted
                    default_image_url=template.default_image_url,
                )
            )
        models.SKU.objects.bulk_create(batch)
        report(f"bulk SKUs: {existing + min(missing, batch_start + BATCH_SIZE)}/{wanted}")
    bump_catalog_version()
