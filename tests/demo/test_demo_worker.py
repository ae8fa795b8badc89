"""`make run` runs tasks as production does: a real Celery worker and beat, children of the demo, on its
embedded Redis. The SMS code is printed by the worker (not the web process), and beat's minutely check
cancels an unpaid order past the timeout (0 minutes in this demo) and gives its stock back."""

import json
import re
import time

import requests

SMS_MOBILE = "13912345678"
# Beat checks for expired orders every 60 s, counted from its start.
CANCEL_SECONDS = 150


def test_the_worker_sends_the_sms_code(demo):
    response = requests.get(f"{demo.url}/sms_codes/{SMS_MOBILE}/", timeout=30)
    assert response.status_code == 200, response.text

    line = demo.wait_for_log(rf".*\[短信\] {SMS_MOBILE} 验证码 (\d{{6}})，5分钟内有效", 60)
    assert "ForkPoolWorker" in line.group(0)
    assert re.search(r"Task send_sms_code\[[-\w]+\] succeeded", demo.log())


def test_the_demo_shopper_has_a_default_address_with_real_areas(demo):
    headers = demo.log_in("demo", "demo12345")
    book = requests.get(f"{demo.url}/addresses/", headers=headers, timeout=30).json()
    default = next(address for address in book["addresses"] if address["id"] == book["default_address_id"])
    assert (default["province"], default["city"], default["district"]) == ("北京市", "北京市", "东城区")


def test_beat_cancels_an_unpaid_order_past_the_timeout(demo):
    sku_id = json.loads(demo.manage("from tests.demo.demo_data import launched_sku; launched_sku(1, 3)"))["sku_id"]
    headers = demo.log_in("demo", "demo12345")
    address_id = requests.get(f"{demo.url}/addresses/", headers=headers, timeout=30).json()["default_address_id"]
    requests.put(f"{demo.url}/cart/selection/", json={"selected": False}, headers=headers, timeout=30)
    added = requests.post(f"{demo.url}/cart/", json={"sku_id": sku_id, "count": 2}, headers=headers, timeout=30)
    assert added.status_code == 201, added.text
    placed = requests.post(
        f"{demo.url}/orders/", json={"address": address_id, "pay_method": 2}, headers=headers, timeout=30
    )
    assert placed.status_code == 201, placed.text
    order_url = f"{demo.url}/orders/{placed.json()['order_id']}/"
    assert requests.get(order_url, headers=headers, timeout=30).json()["status"] == 1

    deadline = time.monotonic() + CANCEL_SECONDS
    while requests.get(order_url, headers=headers, timeout=30).json()["status"] != 6:
        assert time.monotonic() < deadline, f"the unpaid order was not cancelled:\n{demo.log()[-4000:]}"
        time.sleep(2)
    assert re.search(r"Task cancel_expired_orders\[[-\w]+\] succeeded", demo.log())
    assert json.loads(demo.manage(f"from tests.demo.demo_data import sold; sold({sku_id})"))["stock"] == 3
