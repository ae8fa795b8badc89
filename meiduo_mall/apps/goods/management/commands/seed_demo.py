"""`manage.py seed_demo [--skus N]`: the demo catalog and home page ads, once; N bulk SKUs for benchmarks."""

import hashlib
import itertools
import random
from decimal import Decimal

from django.core.files.storage import default_storage
from django.core.management import BaseCommand
from django.db import transaction
from django.db.models import Max

from meiduo_mall.apps.contents.index_page import generate_index_html
from meiduo_mall.apps.contents.models import Content, ContentCategory
from meiduo_mall.apps.goods.demo import catalog as demo
from meiduo_mall.apps.goods.demo.images import draw_banner, draw_product, save_image
from meiduo_mall.apps.goods.detail_page import generate_sku_detail_html
from meiduo_mall.apps.goods.models import (
    SKU,
    Brand,
    Goods,
    GoodsCategory,
    GoodsChannel,
    GoodsSpecification,
    SKUImage,
    SKUSpecification,
    SpecificationOption,
)
from meiduo_mall.apps.goods.services import bump_catalog_version
from meiduo_mall.apps.goods.static_html import category_menu

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


class Command(BaseCommand):
    help = "Seed the demo catalog and home page ads (skipped when present); --skus N tops bulk SKUs up to N."

    def add_arguments(self, parser):
        parser.add_argument("--skus", type=int, default=0, help="bulk SKUs to have for benchmarks")

    def handle(self, *args, skus, **options):
        if GoodsChannel.objects.exists():
            self.stdout.write("demo catalog already seeded")
        else:
            with transaction.atomic():
                sku_ids = self.seed_catalog()
                self.seed_contents()
            bump_catalog_version()
            menu = category_menu()
            for sku_id in sku_ids:
                generate_sku_detail_html(sku_id, menu)
            generate_index_html()
            self.stdout.write(f"seeded {len(sku_ids)} SKUs and their detail pages")
        if skus:
            self.seed_bulk_skus(skus)

    def seed_catalog(self):
        self.categories = {}
        for group_id, channels in enumerate(demo.CHANNEL_GROUPS, start=1):
            for sequence, line in enumerate(channels, start=1):
                self.seed_channel(group_id, sequence, line)
        brands = Brand.objects.bulk_create(
            [Brand(name=name, first_letter=letter, logo="") for name, letter in demo.BRANDS]
        )
        brands = {brand.name: brand for brand in brands}
        rng = random.Random(20261123)
        sku_ids = []
        for spu in demo.GOODS:
            sku_ids += self.seed_goods(spu, brands, rng)
        return sku_ids

    def seed_channel(self, group_id, sequence, line):
        name, subs = parse_channel(line)
        cat1 = GoodsCategory.objects.create(name=name)
        cat2s = GoodsCategory.objects.bulk_create([GoodsCategory(name=cat2, parent=cat1) for cat2, _ in subs])
        cat3s = GoodsCategory.objects.bulk_create(
            [
                GoodsCategory(name=cat3, parent=cat2)
                for cat2, (_, names) in zip(cat2s, subs, strict=True)
                for cat3 in names
            ]
        )
        for cat3 in cat3s:
            parent = next(cat2 for cat2 in cat2s if cat2.id == cat3.parent_id)
            self.categories[(name, parent.name, cat3.name)] = (cat1, parent, cat3)
        GoodsChannel.objects.create(
            group_id=group_id, category=cat1, url=f"/list.html?cat={cat3s[0].id}", sequence=sequence
        )

    def seed_goods(self, spu, brands, rng):
        name, brand, path, base_price, spec_options, caption = spu
        cat1, cat2, cat3 = self.categories[path]
        goods = Goods.objects.create(
            name=name,
            brand=brands[brand],
            category1=cat1,
            category2=cat2,
            category3=cat3,
            desc_detail=demo.GOODS_DESC.format(name=name, caption=caption),
            desc_pack=demo.GOODS_PACK,
            desc_service=demo.GOODS_SERVICE,
        )
        specs = []
        for spec_name, values in spec_options.items():
            spec = GoodsSpecification.objects.create(goods=goods, name=spec_name)
            options = SpecificationOption.objects.bulk_create(
                [SpecificationOption(spec=spec, value=value) for value in values]
            )
            specs.append((spec, options))
        sku_ids = []
        for index, combination in enumerate(itertools.product(*[options for _, options in specs])):
            values = [option.value for option in combination]
            step = sum(i * 0.12 for i, _ in enumerate(values)) + index * 0.03
            price = Decimal(round(base_price * (1 + step))).quantize(Decimal("0.00"))
            pictures = self.product_pictures(goods, values[0])
            sku = SKU.objects.bulk_create(
                [
                    SKU(
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
            SKUSpecification.objects.bulk_create(
                [
                    SKUSpecification(sku=sku, spec=spec, option=option)
                    for (spec, _), option in zip(specs, combination, strict=True)
                ]
            )
            SKUImage.objects.bulk_create([SKUImage(sku=sku, image=picture) for picture in pictures])
            sku_ids.append(sku.id)
        return sku_ids

    def product_pictures(self, goods, variant):
        """Four views of the SPU in one variant (shared by the SKUs that look the same)."""
        return [
            save_image(
                f"skus/goods{goods.id}-{hashlib.md5(variant.encode()).hexdigest()[:8]}-{view}.jpg",
                draw_product(goods.name, variant, view),
            )
            for view in range(4)
        ]

    def seed_contents(self):
        slots = {key: ContentCategory.objects.create(name=name, key=key) for name, key in demo.CONTENT_SLOTS}
        channels = {c.category.name: c for c in GoodsChannel.objects.select_related("category")}
        contents = []
        for sequence, (title, channel) in enumerate(demo.CAROUSEL, start=1):
            image = save_image(f"contents/lbt-{sequence}.jpg", draw_banner(title))
            contents.append(
                Content(
                    category=slots["index_lbt"], title=title, url=channels[channel].url, image=image, sequence=sequence
                )
            )
        for sequence, title in enumerate(demo.NEWS, start=1):
            contents.append(Content(category=slots["index_kx"], title=title, url="/index.html", sequence=sequence))
        ad = save_image("contents/ytgg.jpg", draw_banner("美多商城 品质生活 尽在美多", (1200, 60)))
        contents.append(
            Content(category=slots["index_ytgg"], title="美多商城 品质生活", url="/index.html", image=ad, sequence=1)
        )
        for floor, (logo, floor_channels, tags, tabs) in demo.FLOORS.items():
            contents.append(Content(category=slots[f"index_{floor}_logo"], title=logo, url="/index.html", sequence=1))
            for sequence, name in enumerate(floor_channels, start=1):
                contents.append(
                    Content(category=slots[f"index_{floor}_pd"], title=name, url=channels[name].url, sequence=sequence)
                )
            for sequence, tag in enumerate(tags, start=1):
                contents.append(
                    Content(
                        category=slots[f"index_{floor}_bq"], title=tag, url=f"/search.html?q={tag}", sequence=sequence
                    )
                )
            for tab, cat1_names in tabs.items():
                contents += self.floor_items(slots[f"index_{floor}_{tab}"], cat1_names)
        Content.objects.bulk_create(contents)

    def floor_items(self, slot, cat1_names):
        skus = SKU.objects.filter(goods__category1__name__in=cat1_names).select_related("goods").order_by("-sales")
        items = []
        for sequence, sku in enumerate(skus[:8], start=1):
            image = SKUImage.objects.filter(sku=sku).order_by("id").values_list("image", flat=True).first()
            items.append(
                Content(
                    category=slot,
                    title=sku.name,
                    url=f"/goods/{sku.id}.html",
                    image=image,
                    text=f"¥{sku.price}",
                    sequence=sequence,
                )
            )
        return items

    def seed_bulk_skus(self, wanted):
        """Top the bulk SKUs up to `wanted`, spread over the categories of the first demo SPUs."""
        existing = SKU.objects.filter(caption=BULK_CAPTION).count()
        missing = wanted - existing
        if missing <= 0:
            self.stdout.write(f"{existing} bulk SKUs already there")
            return
        sources = list(SKU.objects.exclude(caption=BULK_CAPTION).select_related("goods").order_by("id"))
        seen, templates = set(), []
        for sku in sources:
            if sku.category_id not in seen:
                seen.add(sku.category_id)
                templates.append(sku)
        templates = templates[:BULK_CATEGORIES]
        rng = random.Random(existing)
        start = (SKU.objects.aggregate(Max("id"))["id__max"] or 0) + 1
        for batch_start in range(0, missing, BATCH_SIZE):
            batch = []
            for number in range(batch_start, min(missing, batch_start + BATCH_SIZE)):
                template = templates[number % len(templates)]
                price = Decimal(rng.randint(1000, 1000000)) / 100
                batch.append(
                    SKU(
                        name=f"{template.goods.name} 批量款{start + number}"[:50],
                        caption=BULK_CAPTION,
                        goods_id=template.goods_id,
                        category_id=template.category_id,
                        price=price,
                        cost_price=price,
                        market_price=price,
                        stock=rng.randint(0, 1000),
                        sales=rng.randint(0, 100000),
                        comments=rng.randint(0, 500),
                        default_image_url=template.default_image_url,
                    )
                )
            SKU.objects.bulk_create(batch)
            self.stdout.write(f"bulk SKUs: {existing + min(missing, batch_start + BATCH_SIZE)}/{wanted}")
        bump_catalog_version()
