"""factory_boy factories shared by every app's tests (users, addresses, a small catalog, orders)."""

from decimal import Decimal

import factory
from django.core.files.storage import default_storage
from django.utils import timezone

from meiduo_mall.apps.areas.models import Area
from meiduo_mall.apps.goods.models import SKU, Brand, Goods, GoodsCategory, GoodsChannel
from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.users.models import Address, User

DEFAULT_PASSWORD = "password123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"shopper{n:04d}")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def area_chain(province=("110000", "北京市"), city=("110100", "北京市"), district=("110101", "东城区")):
    """A province → city → district chain, created when missing (the real codes by default)."""
    p, _ = Area.objects.get_or_create(id=int(province[0]), defaults={"name": province[1]})
    c, _ = Area.objects.get_or_create(id=int(city[0]), defaults={"name": city[1], "parent": p})
    d, _ = Area.objects.get_or_create(id=int(district[0]), defaults={"name": district[1], "parent": c})
    return p, c, d


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    receiver = "张三"
    title = factory.LazyAttribute(lambda a: a.receiver)
    province = factory.LazyFunction(lambda: area_chain()[0])
    city = factory.LazyFunction(lambda: area_chain()[1])
    district = factory.LazyFunction(lambda: area_chain()[2])
    place = "东长安街1号"
    mobile = "13800138000"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoodsCategory

    name = factory.Sequence(lambda n: f"类别{n}")
    parent = None


def category_tree(names=("手机", "手机通讯", "手机")):
    """A level-1 → level-2 → level-3 category chain with a channel on the level-1 category."""
    cat1 = CategoryFactory(name=names[0])
    cat2 = CategoryFactory(name=names[1], parent=cat1)
    cat3 = CategoryFactory(name=names[2], parent=cat2)
    GoodsChannel.objects.create(group_id=1, category=cat1, url="http://shouji.meiduo.site", sequence=1)
    return cat1, cat2, cat3


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"品牌{n}")
    logo = "brands/logo.png"
    first_letter = "P"


class GoodsFactory(factory.django.DjangoModelFactory):
    """An SPU in a fresh three-level category chain unless categories are given."""

    class Meta:
        model = Goods

    class Params:
        tree = factory.LazyFunction(category_tree)

    name = factory.Sequence(lambda n: f"商品{n}")
    brand = factory.SubFactory(BrandFactory)
    category1 = factory.LazyAttribute(lambda g: g.tree[0])
    category2 = factory.LazyAttribute(lambda g: g.tree[1])
    category3 = factory.LazyAttribute(lambda g: g.tree[2])


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SKU

    goods = factory.SubFactory(GoodsFactory)
    category = factory.LazyAttribute(lambda s: s.goods.category3)
    name = factory.Sequence(lambda n: f"测试商品 SKU {n}")
    caption = "测试副标题"
    price = Decimal("100.00")
    cost_price = Decimal("60.00")
    market_price = Decimal("120.00")
    stock = 10
    sales = 0
    is_launched = True
    # What seed_demo and the image signal store: the storage's absolute URL.
    default_image_url = factory.LazyFunction(lambda: default_storage.url("skus/default.png"))


class OrderFactory(factory.django.DjangoModelFactory):
    """An order's own row as placement leaves it (unpaid, by Alipay), without lines: for the tests about what
    comes after placement. Tests about placement itself place orders through orders.services.place_order."""

    class Meta:
        model = OrderInfo

    user = factory.SubFactory(UserFactory)
    address = factory.LazyAttribute(lambda o: AddressFactory(user=o.user))
    # The shape of a placed order's id: its second, the member's id in 9 digits, then a suffix kept unique here.
    order_id = factory.LazyAttributeSequence(lambda o, n: f"{timezone.localtime():%Y%m%d%H%M%S}{o.user.id:09d}{n:02d}")
    total_count = 1
    total_amount = Decimal("110.00")
    freight = Decimal("10.00")
    pay_method = OrderInfo.PayMethod.ALIPAY
    status = OrderInfo.Status.UNPAID
