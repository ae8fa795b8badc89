"""The shop served by uwsgi in a subprocess, as production serves it, so a test can take a service away from a
whole running shop (its pooled connections included) and give it back without restarting it."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
UWSGI = Path(sys.executable).with_name("uwsgi")
START_SECONDS = 60


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Shop:
    def __init__(self, process, url, log_path):
        self.process = process
        self.url = url
        self.log_path = log_path

    def log(self):
        return self.log_path.read_text(errors="replace")

    def get(self, path, **kwargs):
        """GET `path`; (response, seconds it took). The timeout fails a request that hangs instead of answering."""
        started = time.monotonic()
        response = requests.get(self.url + path, timeout=kwargs.pop("timeout", 30), **kwargs)
        return response, time.monotonic() - started

    def request(self, method, path, **kwargs):
        started = time.monotonic()
        response = requests.request(method, self.url + path, timeout=kwargs.pop("timeout", 30), **kwargs)
        return response, time.monotonic() - started


@contextmanager
def shop_server(log_path, **environment):
    """uwsgi (one process, four threads) on a free loopback port with tests/faults/fault_settings.py, the test's
    database and Redis unless `environment` (DB_HOST, DB_PORT, CELERY_BROKER_URL, ...) says otherwise."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.fault_settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": settings.REDIS_URL,
        "DB_NAME": settings.DATABASES["default"]["NAME"],
        **environment,
    }
    command = [
        str(UWSGI), "--http-socket", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--virtualenv", sys.prefix,
        "--module", "meiduo_mall.wsgi:application", "--master", "--processes", "1", "--threads", "4",
        "--need-app", "--die-on-term", "--single-interpreter", "--buffer-size", "32768", "--harakiri", "30",
    ]  # fmt: skip
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    shop = Shop(process, f"http://127.0.0.1:{port}", log_path)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert process.poll() is None, f"uwsgi exited:\n{shop.log()}"
            try:
                if requests.get(shop.url + "/health/", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert time.monotonic() < deadline, f"uwsgi did not answer within {START_SECONDS} s:\n{shop.log()}"
            time.sleep(0.2)
        yield shop
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
