"""The static SKU detail page `goods/<sku_id>.html`.

Each page ends with a fingerprint of everything it shows (`page_fingerprints`), so a bulk regeneration
renders only the pages whose SKU, SPU, siblings, specs, images, categories, menu or template changed.
"""

import hashlib
import re
from pathlib import Path

import nh3
from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.utils.safestring import mark_safe

from .models import (
    SKU,
    Goods,
    GoodsCategory,
    GoodsChannel,
    GoodsSpecification,
    SKUImage,
    SKUSpecification,
    SpecificationOption,
)
from .static_html import category_menu, remove_static_html, write_static_html

FINGERPRINT_MARK = "<!-- page fingerprint "
FINGERPRINT_PATTERN = re.compile(r"<!-- page fingerprint ([0-9a-f]{40}) -->\s*\Z")


def detail_page_path(sku_id):
    return f"goods/{sku_id}.html"


class PageData:
    """What the pages of a batch of SKUs show, read in seven queries whatever the batch size."""

    def __init__(self, sku_ids):
        self.skus = {
            sku.id: sku
            for sku in SKU.objects.select_related(
                "goods__category1", "goods__category2", "goods__category3", "category"
            ).filter(id__in=sku_ids, is_launched=True)
        }
        goods_ids = {sku.goods_id for sku in self.skus.values()}
        self.specs = {}
        for spec in (
            GoodsSpecification.objects.filter(goods_id__in=goods_ids).order_by("id").prefetch_related("options")
        ):
            self.specs.setdefault(spec.goods_id, []).append(spec)
        self.chosen = {}
        for sku_id, spec_id, option_id in SKUSpecification.objects.filter(sku_id__in=self.skus).values_list(
            "sku_id", "spec_id", "option_id"
        ):
            self.chosen.setdefault(sku_id, {})[spec_id] = option_id
        options_by_sku = {}
        rows = (
            SKUSpecification.objects.filter(sku__goods_id__in=goods_ids, sku__is_launched=True)
            .order_by("spec_id")
            .values_list("sku__goods_id", "sku_id", "option_id")
        )
        for goods_id, sku_id, option_id in rows:
            options_by_sku.setdefault((goods_id, sku_id), []).append(option_id)
        # {goods_id: {(option ids ordered by spec id): sku_id}} over each SPU's launched SKUs.
        self.siblings = {}
        for (goods_id, sku_id), options in options_by_sku.items():
            self.siblings.setdefault(goods_id, {})[tuple(options)] = sku_id
        category1_ids = {sku.goods.category1_id for sku in self.skus.values()}
        self.channel_urls = {}
        for channel in GoodsChannel.objects.filter(category_id__in=category1_ids).order_by("-sequence", "-id"):
            self.channel_urls[channel.category_id] = channel.url  # the first by (sequence, id) is written last
        self.images = {}
        for image in SKUImage.objects.filter(sku_id__in=self.skus).order_by("id"):
            self.images.setdefault(image.sku_id, []).append(image)

    def spec_choices(self, sku):
        """The SPU's specs, each option carrying `sku_id` (the SKU that choosing it leads to, or None)
        and `selected`. None when the SKU's own spec list is incomplete.

        The spec and option objects are shared by the SPU's SKUs in the batch: each page is rendered
        before the next SKU's choices are set on them."""
        specs = self.specs.get(sku.goods_id, [])
        chosen = self.chosen.get(sku.id, {})
        if len(chosen) != len(specs) or any(spec.id not in chosen for spec in specs):
            return None
        current = [chosen[spec.id] for spec in specs]
        siblings = self.siblings.get(sku.goods_id, {})
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


def render_menu_html(menu):
    """The category menu as the detail page shows it: the same for every page, so rendered once per run."""
    return mark_safe(render_to_string("includes/category_menu.html", {"categories": menu, "collapsed": True}))


def render_sku_detail_html(sku, data, menu_html):
    specs = data.spec_choices(sku)
    if specs is None:
        return None
    goods = sku.goods
    context = {
        "page": "detail",
        "category_menu_html": menu_html,
        "goods": goods,
        "channel_url": data.channel_urls.get(goods.category1_id, ""),
        "sku": sku,
        "images": data.images.get(sku.id, []),
        "specs": specs,
        "desc_detail": sanitized(goods.desc_detail),
        "desc_pack": sanitized(goods.desc_pack),
        "desc_service": sanitized(goods.desc_service),
    }
    return render_to_string("detail.html", context)


def generate_detail_pages(sku_ids, menu=None, fingerprints=None, menu_html=None):
    """Write the pages of `sku_ids` (removing those of missing, unlaunched or incomplete SKUs), each ending
    with its fingerprint. Returns the ids written."""
    if menu is None:
        menu = category_menu()
    if menu_html is None:
        menu_html = render_menu_html(menu)
    if fingerprints is None:
        fingerprints = page_fingerprints(menu, sku_ids)
    data = PageData(sku_ids)
    written = []
    for sku_id in sku_ids:
        sku = data.skus.get(sku_id)
        html = render_sku_detail_html(sku, data, menu_html) if sku else None
        if html is None:
            remove_static_html(detail_page_path(sku_id))
            continue
        write_static_html(detail_page_path(sku_id), f"{html.rstrip()}\n{FINGERPRINT_MARK}{fingerprints[sku_id]} -->\n")
        written.append(sku_id)
    return written


def regenerate_detail_html(sku_id, menu=None):
    """Write (or, for a missing or unlaunched SKU, remove) the SKU's page. True when written."""
    return bool(generate_detail_pages([sku_id], menu))


def menu_digest(menu):
    """What the menu shows, as text: any change to it changes every page."""
    parts = []
    for group_id, group in menu.items():
        parts.append(f"g{group_id}:" + "|".join(f"{c['id']},{c['name']},{c['url']}" for c in group["channels"]))
        for cat2 in group["sub_cats"]:
            parts.append(f"{cat2.id},{cat2.name}:" + "|".join(f"{c.id},{c.name}" for c in cat2.sub_cats))
    return "\n".join(parts)


def template_sources(name):
    """The source of template `name` and of every template it extends or includes (by a constant name)."""
    template = get_template(name).template
    sources = [template.source]
    for node in template.nodelist.get_nodes_by_type((ExtendsNode, IncludeNode)):
        sources += template_sources((node.parent_name if isinstance(node, ExtendsNode) else node.template).var)
    return sources


def template_digest():
    """The page's templates (the detail page, its shell and includes, the menu): a deployment that changes
    them changes every page."""
    return "\n".join(template_sources("detail.html") + template_sources("includes/category_menu.html"))


def page_candidates():
    """Ids of the SKUs that get a page, in order: launched, with spec rows (or of an SPU without specs).

    Two indexed lookups rather than a test of every SKU: bulk-loaded SKUs without specs get no page."""
    with_specs = SKUSpecification.objects.filter(sku__is_launched=True).values_list("sku_id", flat=True)
    spus_without_specs = Goods.objects.filter(~Exists(GoodsSpecification.objects.filter(goods_id=OuterRef("pk"))))
    without_specs = SKU.objects.filter(is_launched=True, goods__in=spus_without_specs).values_list("id", flat=True)
    return sorted(set(with_specs) | set(without_specs))


def per_goods(queryset, goods_field, latest="update_time"):
    """{goods_id: (latest `latest`, rows)} of `queryset` grouped by its SPU."""
    rows = queryset.values(goods_field).annotate(latest=Max(latest), rows=Count("id"))
    return {row[goods_field]: (row["latest"], row["rows"]) for row in rows.order_by()}


def page_fingerprints(menu, sku_ids):
    """{sku_id: sha1 of what its page shows} for `sku_ids`, in a fixed number of queries.

    A page shows its SKU, its SPU and the SPU's categories, the launched siblings that have specs, every spec,
    option and spec row of the SPU (the option links), its own images, the menu and the templates. Rows carry
    `update_time` (auto_now); counts catch deletions.
    """
    skus = {
        row["id"]: row
        for row in SKU.objects.filter(id__in=sku_ids).values(
            "id",
            "update_time",
            "is_launched",
            "goods_id",
            "goods__update_time",
            "goods__category1_id",
            "goods__category2_id",
            "goods__category3_id",
        )
    }
    goods_ids = {row["goods_id"] for row in skus.values()}
    # Siblings show only as option links: launched SKUs with spec rows, not every SKU of the SPU.
    launched_rows = SKUSpecification.objects.filter(sku__goods_id__in=goods_ids, sku__is_launched=True)
    siblings = per_goods(launched_rows, "sku__goods_id", latest="sku__update_time")
    specs = per_goods(GoodsSpecification.objects.filter(goods_id__in=goods_ids), "goods_id")
    options = per_goods(SpecificationOption.objects.filter(spec__goods_id__in=goods_ids), "spec__goods_id")
    spec_rows = per_goods(SKUSpecification.objects.filter(sku__goods_id__in=goods_ids), "sku__goods_id")
    images = {
        row["sku_id"]: (row["latest"], row["rows"])
        for row in SKUImage.objects.filter(sku_id__in=sku_ids)
        .values("sku_id")
        .annotate(latest=Max("update_time"), rows=Count("id"))
        .order_by()
    }
    category_ids = {row[f"goods__category{level}_id"] for row in skus.values() for level in (1, 2, 3)}
    categories = dict(GoodsCategory.objects.filter(id__in=category_ids).values_list("id", "update_time"))
    shared = hashlib.sha1(f"{menu_digest(menu)}\n{template_digest()}".encode()).hexdigest()
    fingerprints = {}
    for sku_id, row in skus.items():
        goods_id = row["goods_id"]
        shown = [
            shared,
            row,
            [categories.get(row[f"goods__category{level}_id"]) for level in (1, 2, 3)],
            siblings.get(goods_id),
            specs.get(goods_id),
            options.get(goods_id),
            spec_rows.get(goods_id),
            images.get(sku_id),
        ]
        fingerprints[sku_id] = hashlib.sha1(repr(shown).encode()).hexdigest()
    return fingerprints


def written_fingerprint(sku_id):
    """The fingerprint at the end of the SKU's page on disk, or None (no page, or one without it)."""
    path = Path(settings.GENERATED_STATIC_HTML_FILES_DIR) / detail_page_path(sku_id)
    try:
        with open(path, "rb") as page:
            page.seek(0, 2)
            page.seek(max(page.tell() - 200, 0))
            tail = page.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    found = FINGERPRINT_PATTERN.search(tail)
    return found.group(1) if found else None


def written_page_ids():
    """Ids of the SKUs that have a page on disk."""
    pages_dir = Path(settings.GENERATED_STATIC_HTML_FILES_DIR) / "goods"
    return {int(path.stem) for path in pages_dir.glob("*.html") if path.stem.isdigit()}
