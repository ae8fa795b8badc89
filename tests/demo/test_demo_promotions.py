"""`make run` ships promotions (coupons/demo.py): the coupon centre offers its coupons, the demo shopper holds a
全场满100减10 and spends it at checkout under the freight rule 标准运费, and cancelling gives it back."""

import json
from decimal import Decimal

import requests

# A launched SKU of at least ¥200 in stock, past the two the other demo tests set the stock of.
PRICEY_SKU = """
import json
from meiduo_mall.apps.goods.models import SKU

taken = SKU.objects.filter(is_launched=True).order_by("id").values_list("id", flat=True)[:2]
sku = SKU.objects.filter(is_launched=True, price__gte=200, stock__gte=1).exclude(pk__in=list(taken)).order_by("id")[0]
print(json.dumps({"sku_id": sku.pk, "price": str(sku.price)}))
"""


def test_the_coupon_centre_offers_the_demo_coupons(demo):
    offered = requests.get(f"{demo.url}/coupons/", timeout=30)
    assert offered.status_code == 200, offered.text
    assert sorted(coupon["name"] for coupon in offered.json()["coupons"]) == [
        "全场满100减10",
        "全场满300减30",
        "手机9折券",
    ]
    phones = next(coupon for coupon in offered.json()["coupons"] if coupon["name"] == "手机9折券")
    assert (phones["description"], phones["scope_text"]) == ("9折（最多减50）", "限 手机")


def test_the_demo_shopper_spends_their_coupon_and_gets_it_back_on_cancelling(demo):
    headers = demo.log_in("demo", "demo12345")
    mine = requests.get(f"{demo.url}/coupons/mine/", headers=headers, timeout=30).json()
    [held] = mine["coupons"]
    assert (held["name"], held["status"], mine["counts"]["usable"]) == ("全场满100减10", "usable", 1)

    sku = json.loads(demo.manage(PRICEY_SKU))
    price = Decimal(sku["price"])
    requests.put(f"{demo.url}/cart/selection/", json={"selected": False}, headers=headers, timeout=30)
    added = requests.post(f"{demo.url}/cart/", json={"sku_id": sku["sku_id"], "count": 1}, headers=headers, timeout=30)
    assert added.status_code == 201, added.text
    settlement = requests.get(f"{demo.url}/orders/settlement/", headers=headers, timeout=30).json()
    assert (settlement["freight"], settlement["free_freight_over"]) == ("0.00", "99.00")
    [offer] = settlement["coupons"]
    assert (offer["id"], offer["discount"], offer["freight"], offer["best"]) == (held["id"], "10.00", "0.00", True)
    assert settlement["best_coupon"] == held["id"]

    placed = requests.post(
        f"{demo.url}/orders/",
        json={"address": settlement["address"], "pay_method": 2, "coupon_id": held["id"]},
        headers=headers,
        timeout=30,
    )
    assert placed.status_code == 201, placed.text
    assert (placed.json()["discount"], placed.json()["freight"]) == ("10.00", "0.00")
    assert Decimal(placed.json()["total_amount"]) == price - 10
    counts = requests.get(f"{demo.url}/coupons/mine/", headers=headers, timeout=30).json()["counts"]
    assert (counts["usable"], counts["used"]) == (0, 1)

    cancelled = requests.put(f"{demo.url}/orders/{placed.json()['order_id']}/cancel/", headers=headers, timeout=30)
    assert cancelled.status_code == 200, cancelled.text
    counts = requests.get(f"{demo.url}/coupons/mine/", headers=headers, timeout=30).json()["counts"]
    assert (counts["usable"], counts["used"]) == (1, 0)
