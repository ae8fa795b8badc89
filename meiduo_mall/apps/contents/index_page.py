"""The static home page `index.html`."""

from django.template.loader import render_to_string

from meiduo_mall.apps.goods.static_html import category_menu, write_static_html
from meiduo_mall.utils.db_router import replica_reads

from .models import Content

# Floors of the home page: the slots each one shows; tab labels come with the slot keys.
FLOORS = [
    {
        "name": "1F",
        "logo": "index_1f_logo",
        "channels": "index_1f_pd",
        "tags": "index_1f_bq",
        "tabs": [("时尚新品", "index_1f_ssxp"), ("畅想低价", "index_1f_cxdj"), ("手机配件", "index_1f_sjpj")],
    },
    {
        "name": "2F",
        "logo": "index_2f_logo",
        "channels": "index_2f_pd",
        "tags": "index_2f_bq",
        "tabs": [("加价换购", "index_2f_jjhg"), ("畅想低价", "index_2f_cxdj")],
    },
    {
        "name": "3F",
        "logo": "index_3f_logo",
        "channels": "index_3f_pd",
        "tags": "index_3f_bq",
        "tabs": [("生活用品", "index_3f_shyp"), ("厨房用品", "index_3f_cfyp")],
    },
]


def contents_by_slot():
    """{slot key: [shown contents in order]} with one query."""
    slots = {}
    shown = Content.objects.filter(status=True).select_related("category").order_by("category_id", "sequence", "id")
    for content in shown:
        slots.setdefault(content.category.key, []).append(content)
    return slots


def floors(contents):
    return [
        {
            "name": floor["name"],
            "logo": (contents.get(floor["logo"]) or [None])[0],
            "channels": contents.get(floor["channels"], []),
            "tags": contents.get(floor["tags"], []),
            "tabs": [{"label": label, "key": key, "contents": contents.get(key, [])} for label, key in floor["tabs"]],
        }
        for floor in FLOORS
    ]


# Beat regenerates the home page every few minutes, which also repairs a page built from a lagging replica.
@replica_reads()
def generate_index_html():
    contents = contents_by_slot()
    context = {"page": "index", "categories": category_menu(), "contents": contents, "floors": floors(contents)}
    return write_static_html("index.html", render_to_string("index.html", context))
