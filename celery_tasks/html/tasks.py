"""Static page generation: the home page (Celery beat, every 5 minutes) and SKU detail pages
(queued after each catalog change is committed, see goods/signals.py).

Writing a page again gives the same page, so both tasks are acknowledged after they ran and
delivered again when a worker dies mid-task."""

from django.db import DatabaseError

from celery_tasks.main import celery_app
from meiduo_mall.apps.contents.index_page import generate_index_html
from meiduo_mall.apps.goods.detail_page import generate_sku_detail_html


# No retries: beat runs it again within 5 minutes.
@celery_app.task(name="generate_static_index_html", acks_late=True, reject_on_worker_lost=True)
def generate_static_index_html():
    generate_index_html()


# Nothing else regenerates a detail page until the SKU changes again, so a database outage is retried.
@celery_app.task(
    name="generate_static_sku_detail_html",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    max_retries=5,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
)
def generate_static_sku_detail_html(sku_id):
    generate_sku_detail_html(sku_id)
