"""Exports too large to answer within a request: a worker writes the file, the operator follows its progress
on 导出任务 and is mailed a link when it is done.

A job is a Redis hash (who asked, which admin, the changelist's filters, the format, progress) kept a day,
like its file. The file lies in EXPORT_DIR, outside MEDIA_ROOT: nothing serves it but `job_file`, to its
operator or a superuser. The worker rebuilds the operator's request from the stored filters and asks the
model's admin for the queryset and the rows, so a queued export holds exactly what the list page showed and
what the operator may see (and is refused if the right to export was withdrawn in between).
"""

import json
import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.http import FileResponse, Http404, JsonResponse
from django.template.response import TemplateResponse
from django.test import RequestFactory
from django.urls import path, reverse
from django_redis import get_redis_connection

from meiduo_mall.utils.tasks import enqueue

logger = logging.getLogger("meiduo")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATE_LABELS = {QUEUED: "排队中", RUNNING: "导出中", DONE: "已完成", FAILED: "失败"}
JOBS_LISTED = 20


def job_key(job_id):
    return f"export_job:{job_id}"


def jobs_of_key(user_id):
    return f"export_jobs_of:{user_id}"


@dataclass
class ExportJob:
    id: str
    owner_id: int
    model: str
    title: str
    path: str
    query: str
    format_index: int
    item_pks: str
    filename: str
    origin: str
    state: str
    done: int
    total: int
    created: float

    @classmethod
    def load(cls, job_id):
        fields = {k.decode(): v.decode() for k, v in get_redis_connection().hgetall(job_key(job_id)).items()}
        if not fields:
            return None
        for name in ("owner_id", "format_index", "done", "total"):
            fields[name] = int(fields[name])
        fields["created"] = float(fields["created"])
        return cls(id=job_id, **fields)

    @property
    def file_path(self):
        return settings.EXPORT_DIR / f"{self.id}.{self.filename.rsplit('.', 1)[-1]}"

    @property
    def created_at(self):
        return datetime.fromtimestamp(self.created, tz=UTC)

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def percent(self):
        return 100 if self.state == DONE else (self.done * 100 // self.total if self.total else 0)

    def may_be_read_by(self, user):
        return user.is_superuser or user.pk == self.owner_id

    def update(self, **fields):
        get_redis_connection().hset(job_key(self.id), mapping=fields)
        for name, value in fields.items():
            setattr(self, name, value)

    def as_status(self):
        return {
            "id": self.id,
            "state": self.state,
            "state_label": self.state_label,
            "done": self.done,
            "total": self.total,
            "file_url": reverse("export_job_file", args=[self.id]) if self.state == DONE else None,
        }


def start_export_job(model_admin, request, *, format_index, item_pks=None):
    """Record the job of this export request and queue it; returns the job. `item_pks`: the rows chosen with
    the list's 导出 action, else every row the list's filters give."""
    queryset = model_admin.get_export_queryset(request)
    if item_pks is not None:
        queryset = queryset.filter(pk__in=item_pks)
    file_format = model_admin.get_export_formats()[format_index]()
    opts = model_admin.model._meta
    fields = {
        "owner_id": request.user.pk,
        "model": opts.label_lower,
        "title": str(opts.verbose_name),
        "path": request.path,
        "query": request.GET.urlencode(),
        "format_index": format_index,
        "item_pks": "" if item_pks is None else json.dumps(list(item_pks)),
        "filename": model_admin.get_export_filename(request, queryset, file_format),
        "origin": f"{request.scheme}://{request.get_host()}",
        "state": QUEUED,
        "done": 0,
        "total": queryset.count(),
        "created": time.time(),
    }
    job_id = uuid.uuid4().hex
    redis = get_redis_connection()
    with redis.pipeline() as pipe:
        pipe.hset(job_key(job_id), mapping=fields)
        pipe.expire(job_key(job_id), settings.EXPORT_KEEP_SECONDS)
        pipe.lpush(jobs_of_key(request.user.pk), job_id)
        pipe.ltrim(jobs_of_key(request.user.pk), 0, JOBS_LISTED - 1)
        pipe.expire(jobs_of_key(request.user.pk), settings.EXPORT_KEEP_SECONDS)
        pipe.execute()
    enqueue("export_spreadsheet", job_id)
    return ExportJob(id=job_id, **fields)


def operator_request(job, operator):
    """The request the operator made on the list page, as the model's admin reads it."""
    request = RequestFactory().get(f"{job.path}?{job.query}")
    request.user = operator
    return request


def run_export_job(job_id):
    """The worker's part: write the file of the job, then mail its operator the link. get_export_data checks the
    right to export again: it may have been withdrawn while the job waited."""
    job = ExportJob.load(job_id)
    if job is None:
        return
    job.update(state=RUNNING)
    try:
        operator = get_user_model().objects.get(pk=job.owner_id)
        model_admin = admin.site._registry[apps.get_model(job.model)]
        request = operator_request(job, operator)
        queryset = model_admin.get_export_queryset(request)
        if job.item_pks:
            queryset = queryset.filter(pk__in=json.loads(job.item_pks))
        job.update(total=queryset.count())
        file_format = model_admin.get_export_formats()[job.format_index]()
        data = model_admin.get_export_data(
            file_format,
            request,
            queryset,
            export_form=None,
            progress=lambda done: job.update(done=done),
        )
        settings.EXPORT_DIR.mkdir(parents=True, exist_ok=True)
        job.file_path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    except Exception:
        job.update(state=FAILED)
        raise
    job.update(state=DONE, done=job.total)
    mail_operator(job, operator)


def mail_operator(job, operator):
    if not operator.email:
        return
    link = job.origin + reverse("export_job_file", args=[job.id])
    try:
        send_mail(
            f"导出完成：{job.title}",
            f"您导出的{job.title}（{job.total} 行）已生成，24 小时内可下载：\n{link}\n\n"
            "只有您本人登录后台后可以打开此链接。",
            None,
            [operator.email],
        )
    except (smtplib.SMTPException, OSError):
        # The file stays on 导出任务 for the day; a lost mail only costs the operator a look there.
        logger.exception("could not mail the export %s to %s", job.id, operator.email)


def delete_old_exports():
    """Files older than EXPORT_KEEP_SECONDS go (their jobs expired from Redis with them); returns how many."""
    deadline = time.time() - settings.EXPORT_KEEP_SECONDS
    deleted = 0
    if settings.EXPORT_DIR.is_dir():
        for file in settings.EXPORT_DIR.iterdir():
            if file.is_file() and file.stat().st_mtime < deadline:
                file.unlink(missing_ok=True)
                deleted += 1
    return deleted


def readable_job(request, job_id):
    job = ExportJob.load(job_id)
    if job is None:
        raise Http404("没有这个导出任务")
    if not job.may_be_read_by(request.user):
        raise PermissionDenied
    return job


def jobs_of(user):
    """The operator's jobs of the last day, newest first."""
    job_ids = [job_id.decode() for job_id in get_redis_connection().lrange(jobs_of_key(user.pk), 0, -1)]
    return [job for job in map(ExportJob.load, job_ids) if job is not None]


def job_list(request):
    jobs = jobs_of(request.user)
    context = {
        **admin.site.each_context(request),
        "title": "导出任务",
        "jobs": jobs,
        "refresh": any(job.state in (QUEUED, RUNNING) for job in jobs),
    }
    return TemplateResponse(request, "admin/export_jobs.html", context)


def job_status(request, job_id):
    return JsonResponse(readable_job(request, job_id).as_status())


def job_file(request, job_id):
    job = readable_job(request, job_id)
    if job.state != DONE or not job.file_path.is_file():
        raise Http404("文件尚未生成或已过期")
    return FileResponse(job.file_path.open("rb"), as_attachment=True, filename=job.filename)


urlpatterns = [
    path("", admin.site.admin_view(job_list), name="export_jobs"),
    path("<str:job_id>/status/", admin.site.admin_view(job_status), name="export_job_status"),
    path("<str:job_id>/file/", admin.site.admin_view(job_file), name="export_job_file"),
]
