"""Static page generation: the home page (Celery beat, every 5 minutes) and SKU detail pages
(queued after each catalog change is committed, see goods/signals.py). Each job goes by one name as
function, task, management command and script: generate_index_html, regenerate_detail_html.

Writing a page again gives the same page, so both tasks are acknowledged after they ran and
delivered again when a worker dies mid-task."""

from django.db import DatabaseError

from celery_tasks.main import celery_app
from meiduo_mall.apps.contents import index_page
from meiduo_mall.apps.goods import detail_page


# No retries: beat runs it again within 5 minutes.
@celery_app.task(name="generate_index_html", acks_late=True, reject_on_worker_lost=True)
def generate_index_html():
    index_page.generate_index_html()


# Nothing else regenerates a detail page until the SKU changes again, so a database outage is retried.
@celery_app.task(
    name="regenerate_detail_html",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    max_retries=5,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
)
def regenerate_detail_html(sku_id):
    detail_page.regenerate_detail_html(sku_id)
