"""Search quality over the demo catalog: what shoppers type, and which SKUs each query should find.

Each query's relevant SKUs are defined by rules over the catalog (brand, category, name), never by what the
engine answers. `evaluate` asks GET /skus/search/ for every page of hits and measures recall (relevant SKUs
found, over all relevant) and precision@10 (relevant among the first ten hits, over the hits shown, at most
ten). scripts/search_quality.py prints the figures; goods/tests/test_search_quality.py holds them ≥ 0.9.
"""

import re
from dataclasses import dataclass

from ..models import SKU

PAGE_SIZE = 20
TOP = 10


def brand(name):
    return lambda sku: sku["brand"] == name


def category(*names):
    return lambda sku: sku["category"] in names


def channel(name):
    return lambda sku: sku["category1"] == name


def name_matches(pattern):
    compiled = re.compile(pattern, re.IGNORECASE)
    return lambda sku: bool(compiled.search(sku["name"]))


def all_of(*rules):
    return lambda sku: all(rule(sku) for rule in rules)


PHONES = category("手机", "游戏手机")
LAPTOPS = category("笔记本")

# (what the shopper types, why, which SKUs are relevant)
QUERIES = [
    ("苹果", "brand in Chinese, catalog in English", brand("Apple")),
    ("Apple", "brand as catalogued", brand("Apple")),
    ("apple", "lower-case Latin", brand("Apple")),
    ("APPLE", "upper-case Latin", brand("Apple")),
    ("华为", "brand as catalogued", brand("华为")),
    ("HUAWEI", "brand in English, catalog in Chinese", brand("华为")),
    ("huawei", "lower-case brand in English", brand("华为")),
    ("xiaomi", "brand in English", brand("小米")),
    ("lenovo", "brand in English", brand("联想")),
    ("nike", "brand in English", brand("耐克")),
    ("优衣库", "brand as catalogued", brand("优衣库")),
    ("uniqlo", "brand in English", brand("优衣库")),
    ("sony", "brand in English", brand("索尼")),
    ("lego", "brand in English", brand("乐高")),
    ("手机", "category", PHONES),
    ("电话", "synonym of 手机", PHONES),
    ("笔记本", "category", LAPTOPS),
    ("笔记本电脑", "longer name of the category", LAPTOPS),
    ("电脑", "channel name", channel("电脑")),
    ("电视", "short for 平板电视", category("平板电视")),
    ("耳机", "category word", category("蓝牙耳机")),
    ("充电宝", "synonym of 移动电源", category("移动电源")),
    ("尿不湿", "synonym of 纸尿裤", category("纸尿裤")),
    ("电饭锅", "synonym of 电饭煲", category("电饭煲")),
    ("跑鞋", "synonym of 跑步鞋", category("跑步鞋")),
    ("t恤", "lower-case category", category("T恤")),
    ("冰箱", "category", category("冰箱")),
    ("背包", "synonym of 双肩包", category("双肩包")),
    ("64G", "partial model token", name_matches(r"\b64GB")),
    ("64gb", "lower-case model token", name_matches(r"\b64GB")),
    ("128g", "partial lower-case token", name_matches(r"\b128GB")),
    ("mate30", "glued model", name_matches(r"Mate 30")),
    ("Mate 30", "model as catalogued", name_matches(r"Mate 30")),
    ("p10", "lower-case model", name_matches(r"P10")),
    ("iphone8", "glued model", name_matches(r"iPhone 8")),
    ("iPhone 8 Plus", "model as catalogued", name_matches(r"iPhone 8 Plus")),
    ("thinkpad", "lower-case product line", name_matches(r"ThinkPad")),
    ("macbook", "lower-case product line", name_matches(r"MacBook")),
    ("华为手机", "glued brand and category", all_of(brand("华为"), PHONES)),
    ("苹果手机", "glued alias and category", all_of(brand("Apple"), PHONES)),
    ("小米手机", "glued brand and category", all_of(brand("小米"), PHONES)),
    ("华为笔记本", "glued brand and category", all_of(brand("华为"), LAPTOPS)),
    ("苹果笔记本", "glued alias and category", all_of(brand("Apple"), LAPTOPS)),
    ("小米电视", "glued brand and short category", all_of(brand("小米"), category("平板电视"))),
    ("华为mate30", "glued Chinese brand and Latin model", name_matches(r"Mate 30")),
    ("苹果iphone", "mixed alias and model", name_matches(r"iPhone")),
    ("apple 笔记本", "mixed Latin brand and Chinese category", all_of(brand("Apple"), LAPTOPS)),
    ("iPhone 64G", "model and partial token", all_of(name_matches(r"iPhone"), name_matches(r"\b64GB"))),
    ("iphnoe", "typo: two letters swapped", name_matches(r"iPhone")),
    ("macbok", "typo: a letter missing", name_matches(r"MacBook")),
    ("thinkpda", "typo: two letters swapped", name_matches(r"ThinkPad")),
    ("huawie", "typo in the English brand", brand("华为")),
    ("苹果 手机 月球车", "one word the catalog lacks", all_of(brand("Apple"), PHONES)),
]


@dataclass
class Figures:
    text: str
    why: str
    relevant: int
    found: int
    recall: float
    precision: float


def catalog_skus():
    return [
        {
            "id": sku.id,
            "name": sku.name,
            "brand": sku.goods.brand.name,
            "category": sku.category.name,
            "category1": sku.goods.category1.name,
        }
        for sku in SKU.objects.filter(is_launched=True).select_related("category", "goods__brand", "goods__category1")
    ]


def hits(client, text):
    """Every hit's id in the order the search answers them, page after page."""
    ids, page = [], 1
    while True:
        response = client.get("/skus/search/", {"text": text, "page": page, "page_size": PAGE_SIZE})
        if response.status_code != 200:
            return ids
        body = response.json()
        ids += [hit["id"] for hit in body["results"]]
        if not body["next"]:
            return ids
        page += 1


def measure(client, text, why, rule, skus):
    relevant = {sku["id"] for sku in skus if rule(sku)}
    found = hits(client, text)
    top = found[:TOP]
    recall = len(relevant & set(found)) / len(relevant) if relevant else 1.0
    precision = len(relevant & set(top)) / len(top) if top else (0.0 if relevant else 1.0)
    return Figures(text, why, len(relevant), len(found), recall, precision)


def evaluate(client):
    """The figures of every query and the overall means (macro-averaged: every query counts the same)."""
    skus = catalog_skus()
    figures = [measure(client, text, why, rule, skus) for text, why, rule in QUERIES]
    recall = sum(f.recall for f in figures) / len(figures)
    precision = sum(f.precision for f in figures) / len(figures)
    return figures, recall, precision


def report(figures, recall, precision):
    lines = [f"{'query':<20} {'relevant':>8} {'found':>6} {'recall':>7} {'P@10':>6}  why"]
    for f in figures:
        lines.append(f"{f.text:<20} {f.relevant:>8} {f.found:>6} {f.recall:>7.2f} {f.precision:>6.2f}  {f.why}")
    lines.append(f"{'overall':<20} {'':>8} {'':>6} {recall:>7.2f} {precision:>6.2f}  {len(figures)} queries")
    return "\n".join(lines)
