from celery_tasks.main import celery_app
from meiduo_mall.utils import export_jobs


# Not retried: a failed job shows 失败 on 导出任务 and the operator starts it again. Large exports take longer
# than the default limits allow a task.
@celery_app.task(name="export_spreadsheet", soft_time_limit=600, time_limit=660)
def export_spreadsheet(job_id):
    export_jobs.run_export_job(job_id)


# Beat runs this every hour; deleting is idempotent.
@celery_app.task(name="delete_old_exports", ignore_result=True)
def delete_old_exports():
    return export_jobs.delete_old_exports()
