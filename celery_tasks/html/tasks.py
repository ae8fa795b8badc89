"""Static page generation: the home page (Celery beat, every 5 minutes) and SKU detail pages
(queued after each catalog change is committed, see goods/signals.py)."""

from celery_tasks.main import celery_app
from meiduo_mall.apps.contents.index_page import generate_index_html
from meiduo_mall.apps.goods.detail_page import generate_sku_detail_html


@celery_app.task(name="generate_static_index_html")
def generate_static_index_html():
    generate_index_html()


@celery_app.task(name="generate_static_sku_detail_html")
def generate_static_sku_detail_html(sku_id):
    generate_sku_detail_html(sku_id)
