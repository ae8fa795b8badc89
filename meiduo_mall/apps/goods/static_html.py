"""What the generated pages (home, SKU detail) share: the category menu and atomic writes."""

import os
import tempfile
from collections import OrderedDict
from pathlib import Path

from django.conf import settings

from .models import GoodsCategory, GoodsChannel


def category_menu():
    """The pages' category menu: {group_id: {"channels": [...], "sub_cats": [cat2 with .sub_cats]}}.

    Two queries whatever the size of the tree, so a bulk regeneration builds it once and cheaply.
    """
    children = {}
    for category in GoodsCategory.objects.exclude(parent=None).order_by("id"):
        children.setdefault(category.parent_id, []).append(category)
    menu = OrderedDict()
    for channel in GoodsChannel.objects.select_related("category").order_by("group_id", "sequence", "id"):
        group = menu.setdefault(channel.group_id, {"channels": [], "sub_cats": []})
        cat1 = channel.category
        group["channels"].append({"id": cat1.id, "name": cat1.name, "url": channel.url})
        for cat2 in children.get(cat1.id, []):
            cat2.sub_cats = children.get(cat2.id, [])
            group["sub_cats"].append(cat2)
    return menu


def write_static_html(relative_path, html, pages_dir=None):
    """Write a page under `pages_dir` (GENERATED_STATIC_HTML_FILES_DIR) so that readers see the old or the new
    file, never half of one: a temp file in the same directory, then an atomic rename."""
    target = Path(pages_dir or settings.GENERATED_STATIC_HTML_FILES_DIR) / relative_path
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_path = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as temp_file:
            temp_file.write(html)
        os.chmod(temp_path, 0o644)
        os.replace(temp_path, target)
    except BaseException:
        os.unlink(temp_path)
        raise
    return target


def remove_static_html(relative_path):
    (Path(settings.GENERATED_STATIC_HTML_FILES_DIR) / relative_path).unlink(missing_ok=True)
