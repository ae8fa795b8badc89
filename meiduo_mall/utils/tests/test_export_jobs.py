"""Exports above EXPORT_SYNC_ROW_LIMIT rows: written by a worker, followed on 导出任务, mailed, served only to
the operator who asked (or a superuser), deleted after a day."""

import os
import time

import pytest
from django.core.exceptions import PermissionDenied

from meiduo_mall.apps.orders.models import OrderInfo
from meiduo_mall.apps.orders.resources import OrderResource
from meiduo_mall.utils import export_jobs
from meiduo_mall.utils.spreadsheets import SpreadsheetResource
from meiduo_mall.utils.tasks import enqueue
from meiduo_mall.utils.tests.spreadsheets import CSV, XLSX, as_dicts, csv_rows, export, operator_with, xlsx_rows
from tests.english_strings import english_in_html
from tests.factories import OrderFactory

CHANGELIST = "/admin/orders/orderinfo/"
EXPORT_RIGHTS = ("orders.view_orderinfo", "orders.export_orderinfo")


def three_orders():
    """Two orders waiting for shipment and an unpaid one."""
    waiting = [OrderFactory(status=OrderInfo.Status.UNSEND) for _ in range(2)]
    OrderFactory(status=OrderInfo.Status.UNPAID)
    return waiting


@pytest.fixture
def export_dir(settings, tmp_path):
    """Files of jobs run in the test process go to the test's own directory."""
    settings.EXPORT_DIR = tmp_path / "exports"
    return settings.EXPORT_DIR


def only_job_of(operator):
    [job] = export_jobs.jobs_of(operator)
    return job


@pytest.mark.django_db
def test_a_large_export_becomes_a_job_whose_file_only_its_operator_and_superusers_get(settings, export_dir, mailbox):
    settings.EXPORT_SYNC_ROW_LIMIT = 1
    waiting = three_orders()
    operator, client = operator_with(*EXPORT_RIGHTS, email="analyst@meiduo.site")

    response = export(client, CHANGELIST, XLSX, "status__exact=2")

    # Tasks run in place in the test process: the job is done by the time the redirect is answered.
    assert response.status_code == 302 and response["Location"] == "/admin/exports/"
    job = only_job_of(operator)
    assert (job.state, job.done, job.total) == ("done", 2, 2)
    assert job.file_path.parent == settings.EXPORT_DIR and settings.MEDIA_ROOT not in job.file_path.parents
    page = client.get("/admin/exports/").content.decode()
    assert "订单基本信息" in page and "已完成" in page and "2 / 2 行" in page and 'http-equiv="refresh"' not in page
    assert english_in_html(page, data=[operator.username, job.filename]) == []
    assert client.get(f"/admin/exports/{job.id}/status/").json() == {
        "id": job.id,
        "state": "done",
        "state_label": "已完成",
        "done": 2,
        "total": 2,
        "file_url": f"/admin/exports/{job.id}/file/",
    }

    [message] = mailbox.messages
    assert message["To"] == "analyst@meiduo.site"
    assert f"http://testserver/admin/exports/{job.id}/file/" in message.get_content()

    download = client.get(f"/admin/exports/{job.id}/file/")
    assert download.status_code == 200
    rows = as_dicts(xlsx_rows(b"".join(download.streaming_content)))
    assert sorted(row["订单号"] for row in rows) == sorted(order.order_id for order in waiting)

    _, colleague = operator_with(*EXPORT_RIGHTS)
    assert colleague.get(f"/admin/exports/{job.id}/file/").status_code == 403
    assert colleague.get(f"/admin/exports/{job.id}/status/").status_code == 403
    assert job.id not in colleague.get("/admin/exports/").content.decode()
    _, superuser = operator_with(is_superuser=True)
    assert superuser.get(f"/admin/exports/{job.id}/file/").status_code == 200
    assert client.get("/admin/exports/0123/file/").status_code == 404


@pytest.mark.django_db
def test_a_job_of_rows_ticked_on_the_list_holds_only_those(settings, export_dir):
    settings.EXPORT_SYNC_ROW_LIMIT = 0
    first, _ = three_orders()
    operator, client = operator_with(*EXPORT_RIGHTS)
    response = client.post(f"{CHANGELIST}export/", {"format": CSV, "resource": "0", "export_items": [first.pk]})
    assert response.status_code == 302
    job = only_job_of(operator)
    assert [row["订单号"] for row in as_dicts(csv_rows(job.file_path.read_bytes()))] == [first.order_id]


@pytest.mark.django_db
def test_below_the_limit_the_export_is_answered_at_once(settings):
    settings.EXPORT_SYNC_ROW_LIMIT = 3
    three_orders()
    operator, client = operator_with(*EXPORT_RIGHTS)
    response = export(client, CHANGELIST, CSV)
    assert response.status_code == 200 and len(csv_rows(response.content)) == 4
    assert export_jobs.jobs_of(operator) == []


@pytest.mark.django_db
def test_a_job_whose_operator_lost_the_right_while_it_waited_fails(settings, export_dir):
    settings.EXPORT_SYNC_ROW_LIMIT = 1
    three_orders()
    operator, client = operator_with(*EXPORT_RIGHTS)
    export(client, CHANGELIST, CSV)
    job = only_job_of(operator)
    job.file_path.unlink()
    job.update(state="queued", done=0)
    assert 'http-equiv="refresh"' in client.get("/admin/exports/").content.decode()

    operator.user_permissions.clear()
    with pytest.raises(PermissionDenied):
        export_jobs.run_export_job(job.id)

    assert export_jobs.ExportJob.load(job.id).state == "failed"
    assert not job.file_path.exists()


def test_files_older_than_a_day_are_deleted(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path
    old, new = tmp_path / "old.xlsx", tmp_path / "new.csv"
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    a_day_ago = time.time() - settings.EXPORT_KEEP_SECONDS - 1
    os.utime(old, (a_day_ago, a_day_ago))
    assert export_jobs.delete_old_exports() == 1
    assert not old.exists() and new.exists()


@pytest.fixture
def worker_mailbox(mailbox, smtp_server, monkeypatch):
    """The worker process reads its mail settings from the environment: point them at the loopback server."""
    monkeypatch.setenv("EMAIL_HOST", smtp_server.hostname)
    monkeypatch.setenv("EMAIL_PORT", str(smtp_server.port))
    return mailbox


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_the_file_reports_progress_and_mails_the_link(settings, worker_mailbox, real_worker):
    settings.EXPORT_SYNC_ROW_LIMIT = 1
    waiting = three_orders()
    operator, client = operator_with(*EXPORT_RIGHTS, email="ops@meiduo.site")

    assert export(client, CHANGELIST, CSV, "status__exact=2").status_code == 302

    worker, log_path = real_worker
    job = only_job_of(operator)
    deadline = time.monotonic() + 30
    while client.get(f"/admin/exports/{job.id}/status/").json()["state"] != "done" and time.monotonic() < deadline:
        assert worker.poll() is None, log_path.read_text()
        time.sleep(0.2)
    assert client.get(f"/admin/exports/{job.id}/status/").json()["done"] == 2, log_path.read_text()
    rows = as_dicts(csv_rows(b"".join(client.get(f"/admin/exports/{job.id}/file/").streaming_content)))
    assert sorted(row["订单号"] for row in rows) == sorted(order.order_id for order in waiting)
    while not worker_mailbox.messages and time.monotonic() < deadline:
        time.sleep(0.2)
    [message] = worker_mailbox.messages
    assert message["To"] == "ops@meiduo.site" and job.id in message.get_content()
    # The worker wrote into the shared EXPORT_DIR of the test settings; a test leaves nothing behind.
    job.file_path.unlink()
    assert "Task export_spreadsheet[" in log_path.read_text()


@pytest.mark.django_db
def test_a_resource_reports_its_progress_every_so_many_rows(monkeypatch):
    three_orders()
    monkeypatch.setattr(SpreadsheetResource, "PROGRESS_EVERY", 2)
    reported = []
    dataset = OrderResource(progress=reported.append).export(OrderInfo.objects.all())
    assert len(dataset) == 3 and reported == [2]


def test_beat_deletes_old_exports_every_hour(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path
    assert settings.CELERY_BEAT_SCHEDULE["delete-old-exports"]["task"] == "delete_old_exports"
    old = tmp_path / "old.csv"
    old.write_bytes(b"x")
    os.utime(old, (0, 0))
    enqueue("delete_old_exports")
    assert not old.exists()
