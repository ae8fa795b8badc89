"""The demo's reviews: a few shoppers' finished orders whose lines carry comments and 1–5 stars, so that a SKU's
`comments` ("累计评价 N") counts comments that its detail page really lists (G5)."""

import random
from decimal import Decimal

from django.db.models import Count

from meiduo_mall.apps.areas.models import Area
from meiduo_mall.apps.goods.models import SKU, Goods
from meiduo_mall.apps.users.models import Address, User

from .models import OrderGoods, OrderInfo

# Reviewers have this password-less prefix, so the demo shopper's own account never gets their orders.
REVIEWERS = ["小林", "阿杰", "晓雯", "大伟", "思思", "老王"]
REVIEWER_PREFIX = "demo_reviewer_"
# The reviewers' delivery area (北京市 东城区), from load_areas.
PROVINCE, CITY, DISTRICT = 110000, 110100, 110101
# What shoppers say, by stars (1..5).
COMMENTS = {
    5: [
        "质量很好，和描述的一样，物流也快，推荐购买！",
        "非常满意，包装完好，用了几天感觉很棒。",
        "第二次购买了，品质一如既往地好。",
    ],
    4: ["整体不错，性价比挺高，就是发货慢了一点。", "东西挺好的，细节还可以再改进。"],
    3: ["一般般吧，中规中矩，对得起这个价格。"],
    2: ["和图片有些差距，不太满意。"],
    1: ["收到的商品有瑕疵，联系客服后才处理。"],
}
STAR_WEIGHTS = {5: 60, 4: 25, 3: 8, 2: 4, 1: 3}


def areas_loaded():
    return Area.objects.filter(id__in=(PROVINCE, CITY, DISTRICT)).count() == 3


def reviewers():
    """The reviewers, each with an address, created once."""
    shoppers = []
    for number, nickname in enumerate(REVIEWERS):
        user, created = User.objects.get_or_create(
            username=f"{REVIEWER_PREFIX}{number}", defaults={"mobile": f"1390000{number:04d}"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            Address.objects.create(
                user=user, title="家", receiver=nickname, province_id=PROVINCE, city_id=CITY, district_id=DISTRICT,
                place="东华门街道1号", mobile=user.mobile,
            )  # fmt: skip
        shoppers.append(user)
    return shoppers


def seed_reviews(sku_ids, seed=20261201):
    """Finished orders with commented lines on about two thirds of `sku_ids` (0–6 reviews each), then every
    SKU's and SPU's `comments` set to the comments it really has; returns how many reviews there are."""
    rng = random.Random(seed)
    shoppers = reviewers()
    addresses = {address.user_id: address for address in Address.objects.filter(user__in=shoppers)}
    orders, lines = [], []
    skus = SKU.objects.filter(id__in=sku_ids).only("id", "price").order_by("id")
    for sku in skus:
        for index, user in enumerate(rng.sample(shoppers, rng.choice([0, 0, 1, 2, 3, 4, 6]))):
            stars = rng.choices(list(STAR_WEIGHTS), weights=list(STAR_WEIGHTS.values()))[0]
            order = OrderInfo(
                order_id=f"2026112{index}{sku.id:010d}{user.id:09d}",
                user=user,
                address=addresses[user.id],
                total_count=1,
                total_amount=sku.price,
                freight=Decimal("10.00"),
                status=OrderInfo.Status.FINISHED,
            )
            orders.append(order)
            lines.append(
                OrderGoods(
                    order=order, sku=sku, count=1, price=sku.price, comment=rng.choice(COMMENTS[stars]),
                    score=stars, is_anonymous=rng.random() < 0.3, is_commented=True,
                )
            )  # fmt: skip
    OrderInfo.objects.bulk_create(orders)
    OrderGoods.objects.bulk_create(lines)
    return count_comments(sku_ids)


def count_comments(sku_ids):
    """`comments` of the SKUs and of their SPUs set to the commented order lines they have; returns the total."""
    counted = dict(
        OrderGoods.objects.filter(sku_id__in=sku_ids, is_commented=True)
        .values("sku_id")
        .annotate(n=Count("id"))
        .values_list("sku_id", "n")
    )
    skus = list(SKU.objects.filter(id__in=sku_ids).only("id", "goods_id", "comments"))
    for sku in skus:
        sku.comments = counted.get(sku.id, 0)
    SKU.objects.bulk_update(skus, ["comments"])
    per_goods = {}
    for sku in skus:
        per_goods[sku.goods_id] = per_goods.get(sku.goods_id, 0) + sku.comments
    goods = list(Goods.objects.filter(id__in=per_goods).only("id", "comments"))
    for spu in goods:
        spu.comments = per_goods[spu.id]
    Goods.objects.bulk_update(goods, ["comments"])
    return sum(counted.values())
