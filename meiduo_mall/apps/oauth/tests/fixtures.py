import pytest

from tests.fakes.qq_server import CLIENT_ID, CLIENT_SECRET, FakeQQ


@pytest.fixture
def fake_qq(settings):
    """QQ Connect played by a local server; settings point the QQ client at it."""
    server = FakeQQ().start()
    settings.QQ_BASE_URL = server.base_url
    settings.QQ_CLIENT_ID = CLIENT_ID
    settings.QQ_CLIENT_SECRET = CLIENT_SECRET
    yield server
    server.stop()
