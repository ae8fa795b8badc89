"""The demo's memory: `make run`'s program started on a free port, measured once it answers, then stopped.

    python scripts/bench/demo_memory.py      prints {"total_mb", "processes", ...} as JSON

The demo is scripts/run_demo.py (what `make run` runs after installing): SQLite, the embedded Redis it
starts, eager Celery tasks in the web process. Its RSS is summed over that process and everything it
started. BENCH_DEMO_TIMEOUT (600 s) bounds the wait; a first run prepares the demo data in var/.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from processes import descendants, rss_mb

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def command_name(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120].strip()
    except FileNotFoundError:
        return "?"


def stop(process):
    """SIGINT as Ctrl-C would (the demo then stops its Redis), SIGKILL for whatever is left."""
    family = descendants(process.pid)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for pid in family:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue


def measure_demo():
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DB_", "DJANGO_", "BENCH_"))}
    env = {key: value for key, value in env.items() if key not in ("REDIS_URL", "CELERY_BROKER_URL", "PYTHONPATH")}
    env.update(PORT=str(port), PYTHONUNBUFFERED="1")
    for key in ("MEIDUO_VAR_DIR", "MEDIA_ROOT", "GENERATED_STATIC_HTML_FILES_DIR", "FRONTEND_ORIGIN", "API_ORIGIN"):
        env.pop(key, None)
    log = open(Path(os.environ.get("BENCH_WORK", "/tmp")) / "demo.log", "w")  # noqa: SIM115 - closed below
    started = time.monotonic()
    process = subprocess.Popen(
        [str(BASE_DIR / ".venv/bin/python"), "scripts/run_demo.py"], cwd=BASE_DIR, env=env, stdout=log, stderr=log
    )
    result = {"port": port}
    try:
        deadline = started + int(os.environ.get("BENCH_DEMO_TIMEOUT", "600"))
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(1)
        else:
            result["error"] = "the demo did not answer" if process.poll() is None else "the demo exited"
            return result
        result["ready_after_seconds"] = round(time.monotonic() - started, 1)
        # a few shopper requests first, so the figure is of a demo in use, not of one just imported
        for path in (
            "/index.html",
            "/categories/115/skus/?page=1&page_size=5",
            "/skus/search/?text=%E6%89%8B%E6%9C%BA",
        ):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()
            except OSError:
                continue
        processes = {pid: (rss_mb(pid), command_name(pid)) for pid in descendants(process.pid)}
        result["processes"] = [
            {"pid": pid, "rss_mb": round(rss, 1), "command": name} for pid, (rss, name) in processes.items() if rss
        ]
        result["total_mb"] = round(sum(item["rss_mb"] for item in result["processes"]), 1)
        return result
    finally:
        stop(process)
        log.close()


if __name__ == "__main__":
    json.dump(measure_demo(), sys.stdout, indent=2)
    print()
