"""Apps hand work to Celery by task name (utils/tasks.py); only celery_tasks/ imports the apps."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from meiduo_mall.apps.verifications.sms.recording import RecordingSMSBackend
from meiduo_mall.utils.tasks import TASK_MODULES, celery_app, enqueue, enqueue_after_commit

PACKAGE = Path(__file__).resolve().parents[2]


def imported_modules(path):
    """Every module `path` imports, at the top or inside functions."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


def test_no_module_of_the_shop_imports_celery_tasks():
    """Tests may: they run the tasks themselves."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}: {module}"
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.relative_to(PACKAGE).parts
        for module in imported_modules(path)
        if module == "celery_tasks" or module.startswith("celery_tasks.")
    ]
    assert offenders == []


def test_every_task_module_is_known_to_the_app_and_every_enqueued_name_is_a_task():
    celery_app.loader.import_default_modules()
    names = {name for name in celery_app.tasks if not name.startswith("celery.")}
    assert {"send_sms_code", "send_verify_email", "generate_index_html", "regenerate_detail_html"} <= names
    assert {module for module in TASK_MODULES} == {
        task.__module__ for name, task in celery_app.tasks.items() if name in names
    }


@pytest.mark.django_db
def test_an_eager_enqueue_runs_the_task_in_place():
    enqueue("send_sms_code", "13800000001", "123456")
    assert RecordingSMSBackend.outbox() == [{"mobile": "13800000001", "code": "123456", "expires_minutes": 5}]


@pytest.mark.django_db
def test_enqueue_after_commit_waits_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue_after_commit("send_sms_code", "13800000002", "654321")
        assert RecordingSMSBackend.outbox() == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert RecordingSMSBackend.outbox()[0]["mobile"] == "13800000002"


def test_the_worker_refuses_to_guess_its_settings():
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import celery_tasks.main"], cwd=PACKAGE.parent, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE" in result.stderr.splitlines()[-1]
