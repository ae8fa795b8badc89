"""A throwaway redis-server for fault tests: started on a free loopback port, then stopped, restarted on the same
port, or stalled (SIGSTOP: the kernel still accepts connections, nothing ever answers) and resumed.

`shop_on(server, settings)` points every django-redis alias of the shop at it; the connection pools of the
previous server stay untouched, so the suite's own Redis keeps serving the other tests. The `shop_redis` fixture
does both for a test (registered in the root conftest).
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid

import pytest
from django.conf import settings as django_settings

from meiduo_mall.utils.redis_breaker import reset_breakers

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayRedis:
    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.process = None
        self.stalled = False

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            assert self.process.poll() is None, "redis-server exited at start"
            assert time.monotonic() < deadline, f"redis-server on {self.port} not answering after 10 s"
            time.sleep(0.05)
        return self

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        """Stop the server: connections are refused from now on."""
        if self.stalled:
            self.resume()
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def stall(self):
        """Freeze the process: TCP connections are still accepted by the kernel, but no command is answered."""
        os.kill(self.process.pid, signal.SIGSTOP)
        self.stalled = True

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)
        self.stalled = False


def caches_on(url):
    """The shop's CACHES with every alias on the Redis at `url`: same databases, production's socket timeouts."""
    timeouts = {
        "SOCKET_CONNECT_TIMEOUT": django_settings.REDIS_SOCKET_CONNECT_TIMEOUT,
        "SOCKET_TIMEOUT": django_settings.REDIS_SOCKET_TIMEOUT,
    }
    return {
        alias: {
            **config,
            "LOCATION": f"{url}/{django_settings.REDIS_DATABASES[alias]}",
            "OPTIONS": {**config["OPTIONS"], **timeouts},
        }
        for alias, config in django_settings.CACHES.items()
    }


def shop_on(server, settings):
    """Point the shop's Redis aliases at `server` for this test (pytest-django's `settings` fixture).

    Changing CACHES makes Django drop its cache handlers, so the next access builds clients on the new URL;
    django-redis keeps its pools per URL, so those of the suite's Redis are left as they are.
    """
    settings.CACHES = caches_on(server.url)


@pytest.fixture
def shop_redis(tmp_path, settings):
    """A throwaway Redis every alias of the shop uses during the test, its breakers starting closed."""
    reset_breakers()
    server = ThrowawayRedis(tmp_path).start()
    shop_on(server, settings)
    yield server
    server.stop()
    reset_breakers()


UNAVAILABLE = {"message": "服务暂不可用"}
# The contract for what needs Redis: a 503 within half a second. It bounds behaviour, it is no speed
# target: a refused connection fails at once and then the open breaker refuses without trying, so the answer
# takes a few milliseconds; a stalled Redis costs at most one socket timeout (0.25 s, test_redis_stalled.py).
REFUSAL_BOUND = 0.5


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def assert_unavailable(response, elapsed):
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE
    assert elapsed < REFUSAL_BOUND


def wait_until_redis_answers(client, seconds=10):
    """Poll the captcha, which needs Redis, until it answers: the breaker lets a trial through once its open
    period (REDIS_BREAKER_SECONDS) is over, and the trial's answer closes it."""
    deadline = time.monotonic() + seconds
    while client.get(f"/image_codes/{uuid.uuid4()}/").status_code != 200:
        assert time.monotonic() < deadline, f"Redis still refused {seconds} s after its restart"
        time.sleep(0.05)
