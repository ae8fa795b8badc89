"""A throwaway mariadbd for the fault tests: its own datadir (mariadb-install-db), socket and loopback port, so a
test can stop, stall (SIGSTOP) and restart it. The suite's MariaDB on 3306 and its replica are never touched."""

import getpass
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import MySQLdb

from tests.faults.shop_process import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
START_SECONDS = 60


class MariaDBServer:
    """mariadbd on 127.0.0.1:`port` with the data in `base`/data; root has no password, as on the CI machine."""

    def __init__(self, base):
        self.base = Path(base)
        self.datadir = self.base / "data"
        self.socket = str(self.base / "mariadbd.sock")
        self.log_path = self.base / "mariadbd.err"
        self.port = free_port()
        self.process = None
        subprocess.run(
            [INSTALL_DB, "--no-defaults", f"--datadir={self.datadir}", f"--user={getpass.getuser()}",
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self):
        """Start (again, on the same port and data) and return once it takes connections."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [MARIADBD, "--no-defaults", f"--datadir={self.datadir}", f"--socket={self.socket}",
                 f"--port={self.port}", "--bind-address=127.0.0.1", f"--user={getpass.getuser()}",
                 f"--pid-file={self.base / 'mariadbd.pid'}", "--innodb-buffer-pool-size=32M",
                 "--innodb-flush-log-at-trx-commit=2", "--skip-log-bin"],
                stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert self.process.poll() is None, self.log_path.read_text(errors="replace")
            try:
                self.connect().close()
                return
            except MySQLdb.OperationalError:
                assert time.monotonic() < deadline, f"mariadbd did not start:\n{self.log_path.read_text()}"
                time.sleep(0.1)

    def connect(self, **options):
        return MySQLdb.connect(host="127.0.0.1", port=self.port, user="root", password="", **options)

    def create_database(self, name):
        connection = self.connect()
        try:
            connection.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        finally:
            connection.close()

    def migrate(self, name, env):
        """The shop's migrations on database `name`, run as `manage.py migrate` would be in production."""
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT, env={**env, "DB_NAME": name}, capture_output=True, text=True,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr

    def environment(self, name):
        """What the shop's processes need to use this server's database `name` as their primary."""
        return {"DB_HOST": "127.0.0.1", "DB_PORT": str(self.port), "DB_NAME": name}

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(60)

    def pause(self):
        """SIGSTOP: the port still accepts connections (the kernel completes the handshake), nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def remove(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def migrate_env(server, name):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.fault_settings",
        **server.environment(name),
    }
