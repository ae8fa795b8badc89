from django.db import models

from meiduo_mall.utils.models import BaseModel


class GoodsCategory(BaseModel):
    """Three levels; only level-3 categories hold SKUs."""

    name = models.CharField(max_length=10, verbose_name="名称")
    parent = models.ForeignKey(
        "self", related_name="subs", null=True, blank=True, on_delete=models.CASCADE, verbose_name="父类别"
    )

    class Meta:
        db_table = "tb_goods_category"
        verbose_name = "商品类别"
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.name


class GoodsChannel(BaseModel):
    group_id = models.IntegerField(verbose_name="组号")
    category = models.ForeignKey(GoodsCategory, on_delete=models.CASCADE, verbose_name="顶级商品类别")
    url = models.CharField(max_length=50, verbose_name="频道页面链接")
    sequence = models.IntegerField(verbose_name="组内顺序")

    class Meta:
        db_table = "tb_goods_channel"
        verbose_name = "商品频道"
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.category.name


class Brand(BaseModel):
    name = models.CharField(max_length=20, verbose_name="名称")
    logo = models.ImageField(verbose_name="标志图片")
    first_letter = models.CharField(max_length=1, verbose_name="品牌首字母")

    class Meta:
        db_table = "tb_brand"
        verbose_name = "品牌"
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.name


class Goods(BaseModel):
    """An SPU: what SKUs of different colours and sizes have in common."""

    name = models.CharField(max_length=50, verbose_name="名称")
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, verbose_name="品牌")
    category1 = models.ForeignKey(
        GoodsCategory, on_delete=models.PROTECT, related_name="cat1_goods", verbose_name="一级类别"
    )
    category2 = models.ForeignKey(
        GoodsCategory, on_delete=models.PROTECT, related_name="cat2_goods", verbose_name="二级类别"
    )
    category3 = models.ForeignKey(
        GoodsCategory, on_delete=models.PROTECT, related_name="cat3_goods", verbose_name="三级类别"
    )
    sales = models.IntegerField(default=0, verbose_name="销量")
    comments = models.IntegerField(default=0, verbose_name="评价数")
    desc_detail = models.TextField(default="", blank=True, verbose_name="详细介绍")
    desc_pack = models.TextField(default="", blank=True, verbose_name="包装信息")
    desc_service = models.TextField(default="", blank=True, verbose_name="售后服务")
    # 7天无理由退货: off for goods the law exempts (fresh food, underwear, custom-made, opened software).
    returnable = models.BooleanField(default=True, verbose_name="支持7天无理由退货")

    class Meta:
        db_table = "tb_goods"
        verbose_name = "商品"
        verbose_name_plural = verbose_name
        # The list's brand filter and the category's brands (G1, G6) read the SPUs of one category and brand.
        indexes = [models.Index(fields=["category3", "brand"], name="goods_cat3_brand_idx")]

    def __str__(self):
        return self.name


class GoodsSpecification(BaseModel):
    goods = models.ForeignKey(Goods, related_name="specs", on_delete=models.CASCADE, verbose_name="商品")
    name = models.CharField(max_length=20, verbose_name="规格名称")

    class Meta:
        db_table = "tb_goods_specification"
        verbose_name = "商品规格"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.goods.name}: {self.name}"


class SpecificationOption(BaseModel):
    spec = models.ForeignKey(GoodsSpecification, related_name="options", on_delete=models.CASCADE, verbose_name="规格")
    value = models.CharField(max_length=20, verbose_name="选项值")

    class Meta:
        db_table = "tb_specification_option"
        verbose_name = "规格选项"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.spec} - {self.value}"


class SKU(BaseModel):
    name = models.CharField(max_length=50, verbose_name="名称")
    caption = models.CharField(max_length=100, verbose_name="副标题")
    goods = models.ForeignKey(Goods, related_name="skus", on_delete=models.CASCADE, verbose_name="商品")
    category = models.ForeignKey(GoodsCategory, on_delete=models.PROTECT, verbose_name="从属类别")
    price = models.DecimalField(max_digits=10, decimal_places=2, verbose_name="单价")
    cost_price = models.DecimalField(max_digits=10, decimal_places=2, verbose_name="进价")
    market_price = models.DecimalField(max_digits=10, decimal_places=2, verbose_name="市场价")
    stock = models.IntegerField(default=0, verbose_name="库存")
    sales = models.IntegerField(default=0, verbose_name="销量")
    comments = models.IntegerField(default=0, verbose_name="评价数")
    is_launched = models.BooleanField(default=True, verbose_name="是否上架销售")
    default_image_url = models.CharField(max_length=200, default="", null=True, blank=True, verbose_name="默认图片")

    class Meta:
        db_table = "tb_sku"
        verbose_name = "商品SKU"
        verbose_name_plural = verbose_name
        # One index per list ordering, so every page of a category is an index range scan.
        indexes = [
            models.Index(fields=["category", "is_launched", "create_time", "id"], name="sku_cat_create_idx"),
            models.Index(fields=["category", "is_launched", "price", "id"], name="sku_cat_price_idx"),
            models.Index(fields=["category", "is_launched", "sales", "id"], name="sku_cat_sales_idx"),
            # The dashboard's low-stock list.
            models.Index(fields=["stock"], name="sku_stock_idx"),
        ]
        permissions = [("export_sku", "可以导出商品SKU")]

    def __str__(self):
        return f"{self.id}: {self.name}"


class SKUImage(BaseModel):
    sku = models.ForeignKey(SKU, related_name="images", on_delete=models.CASCADE, verbose_name="sku")
    image = models.ImageField(verbose_name="图片")

    class Meta:
        db_table = "tb_sku_image"
        verbose_name = "SKU图片"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.sku.name} {self.id}"


class SKUSpecification(BaseModel):
    sku = models.ForeignKey(SKU, related_name="specs", on_delete=models.CASCADE, verbose_name="sku")
    spec = models.ForeignKey(GoodsSpecification, on_delete=models.PROTECT, verbose_name="规格名称")
    option = models.ForeignKey(SpecificationOption, on_delete=models.PROTECT, verbose_name="规格值")

    class Meta:
        db_table = "tb_sku_specification"
        verbose_name = "SKU规格"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.sku}: {self.spec.name} - {self.option.value}"


class BrandAlias(BaseModel):
    """Another name shoppers type for a brand (苹果 for Apple, HUAWEI for 华为): search finds its goods by it."""

    brand = models.ForeignKey(Brand, related_name="aliases", on_delete=models.CASCADE, verbose_name="品牌")
    name = models.CharField(max_length=20, unique=True, verbose_name="别名")

    class Meta:
        db_table = "tb_brand_alias"
        verbose_name = "品牌别名"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.name} → {self.brand.name}"


class SearchSynonym(BaseModel):
    """Words a search treats as one (手机, 电话): a query with any of them finds goods named with any other."""

    words = models.CharField(max_length=200, verbose_name="同义词", help_text="用逗号分隔，例如：手机,电话,移动电话")

    class Meta:
        db_table = "tb_search_synonym"
        verbose_name = "搜索同义词"
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.words

    def word_list(self):
        return [word.strip() for word in self.words.replace("，", ",").split(",") if word.strip()]
