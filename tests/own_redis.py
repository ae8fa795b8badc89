"""The suite's own Redis, so that tests never flush a Redis they did not start (a developer's on 6379 included).

Unless REDIS_URL names a server, one redis-server is started for the run on a free loopback port, in a
temporary directory, persisting nothing (`--save '' --appendonly no`), and stopped when pytest ends, whatever
the tests' outcome. Its URL goes into the environment as REDIS_URL: the settings read it there (the aliases and
the Celery broker, `redis_location()` in settings/base.py), and so does every process a test starts (Celery
workers, uwsgi, `manage.py` runs, child pytest runs).

pyproject.toml loads this plugin with `-p tests.own_redis`: pytest-django reads the settings in
pytest_load_initial_conftests, before any conftest.py is imported, so a conftest hook would come too late.
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
START_SECONDS = 10
# Another process may take the free port between the probe and redis-server's bind: then another port.
START_ATTEMPTS = 3
PR_SET_PDEATHSIG = 1
SERVER_KEY = pytest.StashKey["RedisServer"]()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def die_with_parent():
    """Runs in the server's process before exec: the kernel sends it SIGTERM when pytest dies, even by SIGKILL
    or before its clean-up ran, so no run leaves a server behind."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class RedisServer:
    """redis-server on 127.0.0.1:`port`, working in `directory` (its log: nothing else is written there)."""

    def __init__(self, port, directory):
        self.port = port
        self.directory = Path(directory)
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        if not Path(REDIS_SERVER).exists():
            raise pytest.UsageError("redis-server is not installed: bash scripts/services.sh installs it")
        log = self.directory / "redis.log"
        with log.open("wb") as output:
            # Its own session: Ctrl-C reaches pytest only, whose teardown still needs the server.
            self.process = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
                + ["--dir", str(self.directory)],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent if sys.platform == "linux" else None,
            )
        deadline = time.monotonic() + START_SECONDS
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server on port {self.port} did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)
        return self

    def answers(self):
        """Whether this server answers on the port (not another process that got there first)."""
        try:
            with Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5) as client:
                return client.info("server")["process_id"] == self.process.pid
        except RedisError:
            return False

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_own_server():
    directory = Path(tempfile.mkdtemp(prefix="meiduo-test-redis-"))
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            return RedisServer(free_port(), directory).start()
        except RuntimeError:
            if attempt == START_ATTEMPTS:
                shutil.rmtree(directory, ignore_errors=True)
                raise


def stop_own_server(server):
    server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)
    os.environ.pop("REDIS_URL", None)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    if os.environ.get("REDIS_URL"):
        return
    options = parser.parse_known_args(args)
    if options.help or options.version:
        return
    server = start_own_server()
    early_config.stash[SERVER_KEY] = server
    early_config.add_cleanup(lambda: stop_own_server(server))
    os.environ["REDIS_URL"] = server.url


def pytest_report_header(config):
    server = config.stash.get(SERVER_KEY, None)
    if server is None:
        return "redis: REDIS_URL from the environment"
    return f"redis: {server.url} in {server.directory}, the suite's own (stopped at the end)"
