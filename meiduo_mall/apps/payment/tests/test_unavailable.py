"""Without usable Alipay key files (production, Alipay itself) the payment endpoints answer a JSON 503 and log why."""

from urllib.parse import urlencode

import pytest
from django.test import override_settings

from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.payment.gateways.tests.alipay_messages import signed_notice, signed_return

pytestmark = pytest.mark.django_db

UNAVAILABLE = {"message": "支付暂不可用"}


@pytest.fixture
def alipay_params(order):
    """Signed while the gateway's keys still serve, so the request is well-formed; only the keys go away after."""
    return {"notice": signed_notice(order), "return": signed_return(order)}


@pytest.fixture(params=["missing", "directory", "garbage"])
def broken_keys(request, tmp_path):
    """Production settings whose app private key file is missing, a directory, or no key at all."""
    private_key = tmp_path / "app_private_key.pem"
    if request.param == "directory":
        private_key.mkdir()
    elif request.param == "garbage":
        private_key.write_text("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n")
    with override_settings(
        PAYMENT_GATEWAY="meiduo_mall.apps.payment.gateways.alipay.AlipayGateway",
        ALIPAY_APP_PRIVATE_KEY_PATH=str(private_key),
        ALIPAY_PUBLIC_KEY_PATH=str(tmp_path / "alipay_public_key.pem"),
    ):
        yield private_key


def assert_unavailable(response, payment_log, key_path):
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == UNAVAILABLE
    [record] = [r for r in payment_log.records if r.name == "meiduo.payment" and r.levelname == "ERROR"]
    assert str(key_path) in record.getMessage()


def test_payment_url_is_a_json_503(auth_client, order, broken_keys, payment_log):
    response = auth_client.get(f"/orders/{order.order_id}/payment/")

    assert_unavailable(response, payment_log, broken_keys)


def test_notice_is_a_json_503_and_leaves_the_order_unpaid(api_client, order, alipay_params, broken_keys, payment_log):
    response = api_client.post(
        "/payment/notify/", urlencode(alipay_params["notice"]), content_type="application/x-www-form-urlencoded"
    )

    assert_unavailable(response, payment_log, broken_keys)
    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNPAID


def test_return_is_a_json_503(api_client, order, alipay_params, broken_keys, payment_log):
    response = api_client.put(f"/payment/status/?{urlencode(alipay_params['return'])}", {}, format="json")

    assert_unavailable(response, payment_log, broken_keys)
    order.refresh_from_db()
    assert order.status == OrderInfo.Status.UNPAID
