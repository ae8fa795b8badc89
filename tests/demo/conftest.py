import pytest

from .demo_process import Demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """One `make run` for the demo tests, with unpaid orders timing out at once (beat still checks each minute)."""
    running = Demo(tmp_path_factory.mktemp("demo-var"), UNPAID_ORDER_TIMEOUT_MINUTES="0").start()
    yield running
    running.stop()
