"""`make run` (scripts/run_demo.py) in a subprocess: a free PORT, its own MEIDUO_VAR_DIR and pages
directory, so the developer's var/ and front_end_pc/ are never touched. The environment is built from
nothing but PATH and HOME, so none of the suite's settings (MariaDB, its Redis, eager tasks) leak in."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent.parent
START_SECONDS = 180


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid):
    """Direct children of `pid` (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            # The thread (or the whole process) ended between the listing and the read: it has no children left.
            continue
    return found


def descendants(pid):
    """Children, their children and so on: the worker's pool processes too."""
    found = []
    for child in children_of(pid):
        found += [child, *descendants(child)]
    return found


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    # A zombie has ended; only its parent has not collected it yet.
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


class Demo:
    def __init__(self, var_dir, **environment):
        self.var_dir = Path(var_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.var_dir / "demo.log"
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "meiduo_mall.settings.dev",
            "PORT": str(self.port),
            "MEIDUO_VAR_DIR": str(self.var_dir),
            "GENERATED_STATIC_HTML_FILES_DIR": str(self.var_dir / "html"),
            **environment,
        }
        self.process = None
        self.log_start = 0

    def start(self):
        self.var_dir.mkdir(parents=True, exist_ok=True)
        (self.var_dir / "html").mkdir(exist_ok=True)
        # A restart appends to the same log: readiness is read from what this run wrote.
        self.log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "scripts/run_demo.py"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the demo ended with {self.process.returncode}:\n{self.log()[-4000:]}")
            this_run = self.log_path.read_bytes()[self.log_start :].decode(errors="replace")
            if "celery@" in this_run and " ready." in this_run:
                try:
                    if requests.get(f"{self.url}/health/ready/", timeout=5).status_code == 200:
                        return self
                except requests.ConnectionError:
                    pass
            time.sleep(0.5)
        self.stop()
        raise AssertionError(f"the demo did not start within {START_SECONDS} s:\n{self.log()[-4000:]}")

    def stop(self):
        """SIGTERM, as a service manager or `kill` sends it; returns the pids of the children it had."""
        children = children_of(self.process.pid) if self.process.poll() is None else []
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return children

    def log(self):
        return self.log_path.read_bytes().decode(errors="replace")

    def wait_for_log(self, pattern, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log())
            if found:
                return found
            time.sleep(0.5)
        raise AssertionError(f"no {pattern!r} in the demo's output within {seconds} s:\n{self.log()[-4000:]}")

    def manage(self, code):
        """Python code in `manage.py shell` on the demo's settings, database and Redis; returns its stdout."""
        socket_path = self.var_dir / "redis.sock"
        env = {
            **self.env,
            "REDIS_URL": f"unix://{socket_path}",
            "CELERY_BROKER_URL": f"redis+socket://{socket_path}?virtual_host=14",
        }
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def log_in(self, username, password):
        response = requests.post(
            f"{self.url}/authorizations/", json={"username": username, "password": password}, timeout=30
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"JWT {response.json()['token']}"}
