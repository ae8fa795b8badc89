"""After-sales SMS notices through each backend, and the task that sends them."""

import io

import pytest

from celery_tasks.sms.tasks import send_after_sales_sms
from meiduo_mall.apps.verifications.sms.base import SMSSendError
from meiduo_mall.apps.verifications.sms.console import ConsoleSMSBackend
from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend
from meiduo_mall.apps.verifications.sms.ronglian import RonglianSMSBackend
from meiduo_mall.apps.verifications.tests.test_sms_backends import (
    APP_ID,
    SID,
    TOKEN,
    FakeRonglian,
    ronglian_server,  # noqa: F401 - the fixture, used by name
)

REFUNDED = {"order_id": "20261201120000000000001", "amount": "110.00"}


def ronglian(server, templates):
    config = {
        "ACCOUNT_SID": SID,
        "AUTH_TOKEN": TOKEN,
        "APP_ID": APP_ID,
        "TEMPLATE_ID": "1",
        "BASE_URL": f"http://127.0.0.1:{server.server_port}",
        "TEMPLATES": templates,
    }
    return RonglianSMSBackend(config=config)


def test_console_prints_the_refund_notice_in_chinese():
    stream = io.StringIO()

    ConsoleSMSBackend(stream=stream).send_notice("13812345678", "refund_succeeded", REFUNDED)

    assert stream.getvalue() == (
        "[短信] 13812345678 您的订单20261201120000000000001退款¥110.00已原路退回，请注意查收。\n"
    )


def test_the_task_records_the_notice_apart_from_the_codes():
    send_after_sales_sms.delay("13812345678", "return_approved", {"order_id": "2026"})

    assert RecordingSMSBackend.notices() == [
        {
            "mobile": "13812345678",
            "kind": "return_approved",
            "params": {"order_id": "2026"},
            "text": "您的订单2026的退货申请已通过，请寄回商品并填写快递单号。",
        }
    ]
    assert RecordingSMSBackend.outbox() == []


def test_ronglian_sends_the_kinds_template_with_its_values(ronglian_server):  # noqa: F811
    backend = ronglian(ronglian_server, {"refund_succeeded": "88", "return_approved": "77"})

    backend.send_notice("13812345678", "refund_succeeded", REFUNDED)
    backend.send_notice("13812345678", "return_approved", {"order_id": "2026"})

    assert FakeRonglian.received == [
        {"to": "13812345678", "appId": APP_ID, "templateId": "88", "datas": [REFUNDED["order_id"], "110.00"]},
        {"to": "13812345678", "appId": APP_ID, "templateId": "77", "datas": ["2026"]},
    ]


def test_ronglian_without_a_template_for_the_kind_sends_nothing(ronglian_server):  # noqa: F811
    with pytest.raises(SMSSendError, match="refund_succeeded"):
        ronglian(ronglian_server, {"refund_succeeded": ""}).send_notice("13812345678", "refund_succeeded", REFUNDED)

    assert FakeRonglian.received == []


@pytest.mark.parametrize(("kind", "params"), [("unknown", REFUNDED), ("refund_succeeded", {"order_id": "1"})])
def test_an_unknown_kind_or_a_missing_value_is_an_error(kind, params):
    with pytest.raises(KeyError):
        RecordingSMSBackend().send_notice("13812345678", kind, params)
    assert RecordingSMSBackend.notices() == []
