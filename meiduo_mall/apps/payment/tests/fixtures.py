import logging

import pytest


@pytest.fixture
def payment_log(caplog):
    """Records of the `meiduo` loggers (they do not propagate to the root logger pytest watches)."""
    shop_logger = logging.getLogger("meiduo")
    shop_logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="meiduo")
    yield caplog
    shop_logger.removeHandler(caplog.handler)
