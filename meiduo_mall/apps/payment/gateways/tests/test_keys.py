import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from meiduo_mall.apps.payment.exceptions import AlipayKeyMissing
from meiduo_mall.apps.payment.gateways.alipay import AlipayGateway
from meiduo_mall.apps.payment.gateways.keys import sandbox_app_public_key_path, sandbox_gateway_private_key_path
from meiduo_mall.apps.payment.gateways.sandbox import SandboxGateway, sign_as_alipay


def test_sandbox_makes_both_key_pairs_on_first_use_and_keeps_them(tmp_path):
    app_private = tmp_path / "alipay" / "app_private_key.pem"
    alipay_public = tmp_path / "alipay" / "alipay_public_key.pem"
    with override_settings(ALIPAY_APP_PRIVATE_KEY_PATH=str(app_private), ALIPAY_PUBLIC_KEY_PATH=str(alipay_public)):
        client = SandboxGateway().client()
        made = [app_private, alipay_public, sandbox_app_public_key_path(), sandbox_gateway_private_key_path()]
        assert all(path.exists() for path in made)
        assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in made)
        assert "PRIVATE KEY" in app_private.read_text() and "PUBLIC KEY" in alipay_public.read_text()
        mtimes = [path.stat().st_mtime_ns for path in made]

        # What the gateway signs, the shop's client verifies: the pairs match across the settings paths.
        notice = sign_as_alipay({"out_trade_no": "1", "total_amount": "1.00"})
        signature = notice.pop("sign")
        assert client.verify(notice, signature)

        SandboxGateway().client()
        assert [path.stat().st_mtime_ns for path in made] == mtimes


def test_alipay_itself_reports_missing_keys_and_makes_none(tmp_path):
    app_private = tmp_path / "app_private_key.pem"
    with override_settings(ALIPAY_APP_PRIVATE_KEY_PATH=str(app_private)):
        with pytest.raises(AlipayKeyMissing, match="app_private_key.pem does not exist"):
            AlipayGateway().client()
    assert not app_private.exists()


def test_keys_someone_configured_are_never_replaced_by_sandbox_ones(tmp_path):
    app_private = tmp_path / "app_private_key.pem"
    alipay_public = tmp_path / "alipay_public_key.pem"
    app_private.write_text("a real app key")
    alipay_public.write_text("alipay's real public key")
    with override_settings(ALIPAY_APP_PRIVATE_KEY_PATH=str(app_private), ALIPAY_PUBLIC_KEY_PATH=str(alipay_public)):
        with pytest.raises(ImproperlyConfigured):
            SandboxGateway().client()
    assert app_private.read_text() == "a real app key"
    assert alipay_public.read_text() == "alipay's real public key"
