"""The static SKU detail page `goods/<sku_id>.html` (API.md §5.2)."""

import nh3
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .models import SKU, GoodsChannel, SKUSpecification
from .static_html import category_menu, remove_static_html, write_static_html


def detail_page_path(sku_id):
    return f"goods/{sku_id}.html"


def sibling_sku_map(goods):
    """{(option ids ordered by spec id): sku_id} over the SPU's launched SKUs."""
    options_by_sku = {}
    rows = (
        SKUSpecification.objects.filter(sku__goods=goods, sku__is_launched=True)
        .order_by("spec_id")
        .values_list("sku_id", "option_id")
    )
    for sku_id, option_id in rows:
        options_by_sku.setdefault(sku_id, []).append(option_id)
    return {tuple(options): sku_id for sku_id, options in options_by_sku.items()}


def spec_choices(sku):
    """The SPU's specs, each option carrying `sku_id` (the SKU that choosing it leads to, or None)
    and `selected`. None when the SKU's own spec list is incomplete."""
    specs = list(sku.goods.specs.order_by("id").prefetch_related("options"))
    chosen = dict(sku.specs.values_list("spec_id", "option_id"))
    if len(chosen) != len(specs) or any(spec.id not in chosen for spec in specs):
        return None
    current = [chosen[spec.id] for spec in specs]
    siblings = sibling_sku_map(sku.goods)
    for index, spec in enumerate(specs):
        spec.choices = []
        for option in spec.options.all():
            key = tuple(current[:index] + [option.id] + current[index + 1 :])
            option.sku_id = siblings.get(key)
            option.selected = option.id == current[index]
            spec.choices.append(option)
    return specs


def sanitized(html):
    return mark_safe(nh3.clean(html or ""))


def render_sku_detail_html(sku, menu):
    goods = sku.goods
    specs = spec_choices(sku)
    if specs is None:
        return None
    channel = GoodsChannel.objects.filter(category_id=goods.category1_id).order_by("sequence", "id").first()
    context = {
        "categories": menu,
        "goods": goods,
        "channel_url": channel.url if channel else "",
        "sku": sku,
        "images": list(sku.images.order_by("id")),
        "specs": specs,
        "desc_detail": sanitized(goods.desc_detail),
        "desc_pack": sanitized(goods.desc_pack),
        "desc_service": sanitized(goods.desc_service),
    }
    return render_to_string("detail.html", context)


def generate_sku_detail_html(sku_id, menu=None):
    """Write (or, for a missing or unlaunched SKU, remove) the SKU's page. True when written."""
    sku = (
        SKU.objects.select_related("goods__category1", "goods__category2", "goods__category3", "category")
        .filter(id=sku_id, is_launched=True)
        .first()
    )
    html = render_sku_detail_html(sku, menu if menu is not None else category_menu()) if sku else None
    if html is None:
        remove_static_html(detail_page_path(sku_id))
        return False
    write_static_html(detail_page_path(sku_id), html)
    return True
