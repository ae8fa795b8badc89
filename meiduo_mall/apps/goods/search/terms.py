"""The brand aliases and product-word synonyms a new shop starts with (migration 0002 and seed_demo write them).

Operators edit both in the back office (品牌别名, 搜索同义词); search reads them from the database.
"""

# Brand as catalogued → the other names shoppers type for it.
COMMON_BRAND_ALIASES = {
    "Apple": ["苹果"],
    "华为": ["HUAWEI"],
    "小米": ["Xiaomi", "MI", "Redmi", "红米"],
    "荣耀": ["Honor"],
    "联想": ["Lenovo"],
    "戴尔": ["Dell"],
    "罗技": ["Logitech"],
    "海尔": ["Haier"],
    "美的": ["Midea"],
    "九阳": ["Joyoung"],
    "优衣库": ["Uniqlo"],
    "耐克": ["Nike"],
    "探路者": ["Toread"],
    "乐高": ["LEGO"],
    "三只松鼠": ["Three Squirrels"],
    "帮宝适": ["Pampers"],
    "苏泊尔": ["Supor"],
    "新秀丽": ["Samsonite"],
    "天梭": ["Tissot"],
    "索尼": ["Sony"],
    "三星": ["Samsung"],
}

COMMON_SYNONYMS = [
    "手机,电话,移动电话",
    "笔记本,笔记本电脑,手提电脑,laptop",
    "电视,电视机,平板电视",
    "耳机,耳麦",
    "移动电源,充电宝",
    "纸尿裤,尿不湿,尿片",
    "电饭煲,电饭锅",
    "跑步鞋,跑鞋",
    "双肩包,背包",
    "冰箱,电冰箱",
    "T恤,体恤",
    "卫衣,连帽衫",
    "腕表,手表",
    "显示器,显示屏",
    "鼠标,滑鼠",
    "炒锅,炒菜锅",
]


def add_common_terms(brand_model, alias_model, synonym_model):
    """Aliases of the brands that exist (by name) and the common synonyms, leaving any already there."""
    brands = {brand.name: brand for brand in brand_model.objects.filter(name__in=COMMON_BRAND_ALIASES)}
    taken = set(alias_model.objects.values_list("name", flat=True))
    alias_model.objects.bulk_create(
        [
            alias_model(brand=brands[brand], name=alias)
            for brand, aliases in COMMON_BRAND_ALIASES.items()
            if brand in brands
            for alias in aliases
            if alias not in taken
        ]
    )
    if not synonym_model.objects.exists():
        synonym_model.objects.bulk_create([synonym_model(words=words) for words in COMMON_SYNONYMS])
