"""`manage.py check --deploy` fails at start on a production configuration the shop cannot serve with."""

import secrets

import pytest
from Cryptodome.PublicKey import RSA
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

ES_ENGINE = "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine"
FASTDFS_STORAGE = "meiduo_mall.utils.fastdfs.storage.FastDFSStorage"


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory):
    """An app private key and an 'Alipay public key' as PEM files, the way production gets them."""
    folder = tmp_path_factory.mktemp("alipay")
    app_key, alipay_key = RSA.generate(2048), RSA.generate(2048)
    (folder / "app_private_key.pem").write_bytes(app_key.export_key())
    (folder / "alipay_public_key.pem").write_bytes(alipay_key.publickey().export_key())
    return folder / "app_private_key.pem", folder / "alipay_public_key.pem"


@pytest.fixture
def production(key_pair, settings):
    """A complete production configuration; each test breaks one part of it."""
    private_key, public_key = key_pair
    settings.DEBUG = False
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    settings.PAYMENT_GATEWAY = "meiduo_mall.apps.payment.gateways.alipay.AlipayGateway"
    settings.ALIPAY_APPID = "2021000000000001"
    settings.ALIPAY_SELLER_ID = "2088000000000001"
    settings.ALIPAY_APP_PRIVATE_KEY_PATH = str(private_key)
    settings.ALIPAY_PUBLIC_KEY_PATH = str(public_key)
    settings.HAYSTACK_CONNECTIONS = {"default": {"ENGINE": ES_ENGINE, "URL": "http://es:9200/", "INDEX_NAME": "meiduo"}}
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": FASTDFS_STORAGE}}
    settings.FDFS_TRACKER_SERVERS = ["tracker:22122"]
    settings.FDFS_BASE_URL = "http://image.meiduo.site/"
    return settings


def shop_errors():
    """(id, message) of the shop's own deployment checks."""
    return [(m.id, m.msg) for m in run_checks(include_deployment_checks=True) if m.id.startswith("meiduo.")]


def shop_ids():
    return [check_id for check_id, _ in shop_errors()]


def test_a_complete_production_configuration_passes(production):
    assert shop_errors() == []


def test_test_settings_pass_without_any_alipay_key():
    """Dev and tests use the sandbox, which makes its keys on first use; the checks stay quiet."""
    with override_settings(
        ALIPAY_APP_PRIVATE_KEY_PATH="/nonexistent/app.pem", ALIPAY_PUBLIC_KEY_PATH="/nonexistent/a.pem"
    ):
        assert shop_errors() == []


def test_dev_default_secret_passes_with_debug_on():
    with override_settings(DEBUG=True, SECRET_KEY="dev-only-insecure-key-change-me"):
        assert shop_errors() == []


@pytest.mark.parametrize("setting", ["ALIPAY_APP_PRIVATE_KEY_PATH", "ALIPAY_PUBLIC_KEY_PATH"])
def test_missing_key_file(production, setting, tmp_path):
    missing = tmp_path / "gone.pem"
    setattr(production, setting, str(missing))

    [(check_id, message)] = shop_errors()

    assert check_id == "meiduo.E001"
    assert setting in message and str(missing) in message and "missing" in message


def test_empty_key_path(production):
    production.ALIPAY_PUBLIC_KEY_PATH = ""

    assert shop_ids() == ["meiduo.E001"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(None, id="directory"),
        pytest.param(b"-----BEGIN PRIVATE KEY-----\nMIIBroken\n-----END PRIVATE KEY-----\n", id="unparsable"),
        pytest.param(b"\xff\xfe\x00binary", id="binary"),
        pytest.param(b"", id="empty"),
    ],
)
def test_unreadable_private_key(production, tmp_path, content):
    """Root reads any file whatever its mode, so a directory or a broken key stands for 'unreadable'."""
    path = tmp_path / "app_private_key.pem"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    production.ALIPAY_APP_PRIVATE_KEY_PATH = str(path)

    [(check_id, message)] = shop_errors()

    assert check_id == "meiduo.E002"
    assert "ALIPAY_APP_PRIVATE_KEY_PATH" in message and str(path) in message


def test_public_key_where_the_private_key_belongs(production, key_pair):
    production.ALIPAY_APP_PRIVATE_KEY_PATH = str(key_pair[1])

    [(check_id, message)] = shop_errors()

    assert check_id == "meiduo.E002"
    assert "public key" in message


def test_a_payment_gateway_that_cannot_be_imported(production):
    production.PAYMENT_GATEWAY = "meiduo_mall.apps.payment.gateways.nowhere.Gateway"

    [(check_id, message)] = shop_errors()

    assert check_id == "meiduo.E005"
    assert "PAYMENT_GATEWAY" in message and "nowhere.Gateway" in message


def test_the_sandbox_gateway_needs_no_alipay_settings(production):
    production.PAYMENT_GATEWAY = "meiduo_mall.apps.payment.gateways.sandbox.SandboxGateway"
    production.ALIPAY_SELLER_ID = ""
    production.ALIPAY_APP_PRIVATE_KEY_PATH = "/nonexistent/app.pem"

    assert shop_errors() == []


def test_empty_seller_id(production):
    production.ALIPAY_SELLER_ID = ""

    assert shop_ids() == ["meiduo.E003"]


def test_empty_app_id(production):
    production.ALIPAY_APPID = ""

    assert shop_ids() == ["meiduo.E004"]


@pytest.mark.parametrize("secret", ["dev-only-insecure-key-change-me", "change-me-to-a-long-random-string"])
def test_published_secret_key(production, secret):
    production.SECRET_KEY = secret

    assert shop_ids() == ["meiduo.E010"]


@pytest.mark.parametrize("url", [None, "", "127.0.0.1:9200"])
def test_elasticsearch_without_url(production, url):
    connection = {"ENGINE": ES_ENGINE, "INDEX_NAME": "meiduo"}
    if url is not None:
        connection["URL"] = url
    production.HAYSTACK_CONNECTIONS = {"default": connection}

    assert shop_ids() == ["meiduo.E011"]


def test_whoosh_needs_no_url(production):
    production.HAYSTACK_CONNECTIONS = {
        "default": {"ENGINE": "meiduo_mall.apps.goods.search.backends.whoosh.ChineseWhooshEngine", "PATH": "/tmp/x"}
    }

    assert shop_errors() == []


def test_fastdfs_without_trackers(production):
    production.FDFS_TRACKER_SERVERS = []

    assert shop_ids() == ["meiduo.E012"]


@pytest.mark.parametrize("base_url", ["", "/media/"])
def test_fastdfs_without_absolute_base_url(production, base_url):
    production.FDFS_BASE_URL = base_url

    assert shop_ids() == ["meiduo.E013"]


def test_fastdfs_settings_missing_altogether(production):
    del production.FDFS_TRACKER_SERVERS
    del production.FDFS_BASE_URL

    assert shop_ids() == ["meiduo.E012", "meiduo.E013"]


def test_file_system_storage_needs_no_fastdfs_settings(production):
    production.STORAGES = {**production.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    production.FDFS_TRACKER_SERVERS = []

    assert shop_errors() == []


def test_check_command_fails_and_names_every_problem(production):
    production.ALIPAY_SELLER_ID = ""
    production.ALIPAY_PUBLIC_KEY_PATH = "/nonexistent/alipay_public_key.pem"

    with pytest.raises(SystemCheckError) as failure:
        call_command("check", "--deploy")

    report = str(failure.value)
    assert "meiduo.E001" in report and "/nonexistent/alipay_public_key.pem" in report
    assert "meiduo.E003" in report
