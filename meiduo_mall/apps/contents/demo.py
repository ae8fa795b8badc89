"""The home page ads of the demo shop (`manage.py seed_demo`), linked to the demo catalog's channels and SKUs."""

from django.db.models import Q

from meiduo_mall.apps.goods.demo.images import draw_banner, save_image
from meiduo_mall.apps.goods.models import SKU, GoodsChannel, SKUImage

from .models import Content, ContentCategory

CONTENT_SLOTS = [
    ("轮播图", "index_lbt"),
    ("快讯", "index_kx"),
    ("页头广告", "index_ytgg"),
    ("1楼Logo", "index_1f_logo"),
    ("1楼频道", "index_1f_pd"),
    ("1楼标签", "index_1f_bq"),
    ("1楼时尚新品", "index_1f_ssxp"),
    ("1楼畅想低价", "index_1f_cxdj"),
    ("1楼手机配件", "index_1f_sjpj"),
    ("2楼Logo", "index_2f_logo"),
    ("2楼频道", "index_2f_pd"),
    ("2楼标签", "index_2f_bq"),
    ("2楼畅想低价", "index_2f_cxdj"),
    ("2楼加价换购", "index_2f_jjhg"),
    ("3楼Logo", "index_3f_logo"),
    ("3楼频道", "index_3f_pd"),
    ("3楼标签", "index_3f_bq"),
    ("3楼生活用品", "index_3f_shyp"),
    ("3楼厨房用品", "index_3f_cfyp"),
]

CAROUSEL = [
    ("手机焕新季 至高直降千元", "手机"),
    ("电脑办公 开学季", "电脑"),
    ("家电狂欢 以旧换新", "家用电器"),
    ("潮流服饰 夏日上新", "男装"),
]

NEWS = [
    "美多商城周年庆 全场满减",
    "新款手机首发 预约享好礼",
    "家电以旧换新补贴来了",
    "开学季笔记本限时特惠",
    "会员日 领取专属优惠券",
    "生鲜次日达 覆盖百城",
    "图书满100减50",
    "户外装备 清凉一夏",
]

# Floor: (logo title, channels shown in the floor, tags, {tab slot: level-1 or level-2 category names whose
# SKUs fill it}); each floor shows only goods of its own categories.
FLOORS = {
    "1f": (
        "手机通讯",
        ["手机", "运营商", "数码"],
        ["华为", "小米", "Apple", "荣耀"],
        {"ssxp": ["手机通讯"], "cxdj": ["手机通讯"], "sjpj": ["手机配件", "影音娱乐"]},
    ),
    "2f": (
        "电脑数码",
        ["电脑", "办公", "数码"],
        ["笔记本", "显示器", "鼠标"],
        {"cxdj": ["电脑", "数码"], "jjhg": ["电脑整机", "外设产品"]},
    ),
    "3f": (
        "家居家装",
        ["家用电器", "家居", "厨具"],
        ["冰箱", "电饭煲", "炒锅"],
        {"shyp": ["大家电", "生活电器", "家居"], "cfyp": ["厨房小电", "厨具"]},
    ),
}


def seed_home_contents():
    """Every slot of the home page with its ads; the catalog must be seeded first."""
    slots = {key: ContentCategory.objects.create(name=name, key=key) for name, key in CONTENT_SLOTS}
    channels = {c.category.name: c for c in GoodsChannel.objects.select_related("category")}
    contents = []
    for sequence, (title, channel) in enumerate(CAROUSEL, start=1):
        image = save_image(f"contents/lbt-{sequence}.jpg", draw_banner(title))
        contents.append(
            Content(category=slots["index_lbt"], title=title, url=channels[channel].url, image=image, sequence=sequence)
        )
    for sequence, title in enumerate(NEWS, start=1):
        contents.append(Content(category=slots["index_kx"], title=title, url="/index.html", sequence=sequence))
    ad = save_image("contents/ytgg.jpg", draw_banner("美多商城 品质生活 尽在美多", (1200, 60)))
    contents.append(
        Content(category=slots["index_ytgg"], title="美多商城 品质生活", url="/index.html", image=ad, sequence=1)
    )
    for floor, (logo, floor_channels, tags, tabs) in FLOORS.items():
        contents.append(Content(category=slots[f"index_{floor}_logo"], title=logo, url="/index.html", sequence=1))
        for sequence, name in enumerate(floor_channels, start=1):
            contents.append(
                Content(category=slots[f"index_{floor}_pd"], title=name, url=channels[name].url, sequence=sequence)
            )
        for sequence, tag in enumerate(tags, start=1):
            contents.append(
                Content(category=slots[f"index_{floor}_bq"], title=tag, url=f"/search.html?q={tag}", sequence=sequence)
            )
        for tab, cat1_names in tabs.items():
            contents += floor_items(slots[f"index_{floor}_{tab}"], cat1_names)
    Content.objects.bulk_create(contents)


def floor_items(slot, category_names):
    """Eight SKUs of those categories, one per picture (SKUs that differ only in size look alike), as the
    slot's ads: the cheapest in the 畅想低价 (low prices) tabs, the best sellers in the others."""
    ordering = ("price", "id") if slot.key.endswith("_cxdj") else ("-sales", "id")
    skus = (
        SKU.objects.filter(Q(goods__category1__name__in=category_names) | Q(goods__category2__name__in=category_names))
        .select_related("goods")
        .order_by(*ordering)
    )
    items, pictures = [], set()
    for sku in skus:
        image = SKUImage.objects.filter(sku=sku).order_by("id").values_list("image", flat=True).first()
        if image in pictures:
            continue
        pictures.add(image)
        items.append(
            Content(
                category=slot,
                title=sku.name,
                url=f"/goods/{sku.id}.html",
                image=image,
                text=f"¥{sku.price}",
                sequence=len(items) + 1,
            )
        )
        if len(items) == 8:
            break
    return items
