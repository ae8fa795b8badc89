"""docker/healthcheck.py, the app container's health check, against the real uwsgi.ini under production settings.

uwsgi runs here as in the container (uwsgi.ini, meiduo_mall.settings.prod, a TCP socket from
MEIDUO_UWSGI_SOCKET), on a free loopback port; the check speaks uwsgi's protocol to it as nginx does.
"""

import getpass
import grp
import importlib.util
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UWSGI = Path(sys.executable).with_name("uwsgi")
HEALTHCHECK = ROOT / "docker" / "healthcheck.py"

spec = importlib.util.spec_from_file_location("healthcheck", HEALTHCHECK)
healthcheck = importlib.util.module_from_spec(spec)
spec.loader.exec_module(healthcheck)
status_of = healthcheck.status_of


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def uwsgi_environment(tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("uwsgi") / "uwsgi.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "meiduo_mall.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "api.meiduo.site,www.meiduo.site",
        "MEIDUO_UWSGI_SOCKET": f"127.0.0.1:{port}",
        "MEIDUO_UWSGI_PROCESSES": "1",
        "MEIDUO_UWSGI_THREADS": "1",
        # The container runs uwsgi as its own unprivileged user; here, as whoever runs the tests.
        "MEIDUO_UWSGI_UID": getpass.getuser(),
        "MEIDUO_UWSGI_GID": grp.getgrgid(os.getgid()).gr_name,
    }
    log = log_path.open("wb")
    server = subprocess.Popen(
        [str(UWSGI), "--ini", str(ROOT / "uwsgi.ini")], env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        for _ in range(150):
            if server.poll() is not None:
                raise AssertionError(f"uwsgi exited: {log_path.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield environment
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def run_healthcheck(environment):
    return subprocess.run([sys.executable, str(HEALTHCHECK)], env=environment, capture_output=True, text=True)


def test_healthcheck_passes_when_django_answers_under_production_settings(uwsgi_environment):
    result = run_healthcheck(uwsgi_environment)
    assert result.returncode == 0, result.stderr


def test_healthcheck_reads_the_status_django_answers(uwsgi_environment):
    port = int(uwsgi_environment["MEIDUO_UWSGI_SOCKET"].rpartition(":")[2])
    assert status_of("/health/", ("127.0.0.1", port), "api.meiduo.site") == 200
    assert status_of("/no-such-page/", ("127.0.0.1", port), "api.meiduo.site") == 404
    # A host outside DJANGO_ALLOWED_HOSTS is refused by Django, so the check must name an allowed one.
    assert status_of("/health/", ("127.0.0.1", port), "evil.example") == 400


def test_healthcheck_fails_when_nothing_listens():
    environment = {**os.environ, "MEIDUO_UWSGI_SOCKET": f"0.0.0.0:{free_port()}"}
    result = run_healthcheck(environment)
    assert result.returncode == 1
    assert "uwsgi at 127.0.0.1:" in result.stderr
