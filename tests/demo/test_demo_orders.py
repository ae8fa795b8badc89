"""Ten shoppers order the last five units at once in `make run`'s configuration: SQLite in WAL mode with
IMMEDIATE transactions and a busy timeout, served by the demo's own runserver. Writers queue for the
database lock instead of failing with "database is locked" (which the shop answers with 503)."""

import json
import threading

import requests

from .demo_data import BUYER_PASSWORD

BUYERS = 10
STOCK = 5


def test_ten_buyers_for_five_units_get_exactly_five_orders(demo):
    sku_id = json.loads(demo.manage(f"from tests.demo.demo_data import launched_sku; launched_sku(0, {STOCK})"))[
        "sku_id"
    ]
    before = json.loads(demo.manage(f"from tests.demo.demo_data import sold; sold({sku_id})"))
    shoppers = json.loads(demo.manage(f"from tests.demo.demo_data import buyers; buyers('racer', {BUYERS})"))
    for shopper in shoppers:
        shopper["headers"] = demo.log_in(shopper["username"], BUYER_PASSWORD)
        added = requests.post(
            f"{demo.url}/cart/", json={"sku_id": sku_id, "count": 1}, headers=shopper["headers"], timeout=30
        )
        assert added.status_code == 201, added.text

    start = threading.Barrier(BUYERS)
    answers = [None] * BUYERS

    def buy(index, shopper):
        start.wait()
        response = requests.post(
            f"{demo.url}/orders/",
            json={"address": shopper["address_id"], "pay_method": 1},
            headers=shopper["headers"],
            timeout=60,
        )
        answers[index] = (response.status_code, response.text)

    threads = [threading.Thread(target=buy, args=(index, shopper)) for index, shopper in enumerate(shoppers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(code for code, _ in answers)
    assert codes == [201] * STOCK + [400] * (BUYERS - STOCK), answers
    assert all("库存不足" in text for code, text in answers if code == 400), answers
    # The seed's own orders (for its reviews) may hold this SKU already: count what the race added.
    after = json.loads(demo.manage(f"from tests.demo.demo_data import sold; sold({sku_id})"))
    assert (after["stock"], after["ordered"] - before["ordered"]) == (0, STOCK)
