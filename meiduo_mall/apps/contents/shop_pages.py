"""The shop's own pages (login.html, cart.html, the user centre, ...): each template in templates/pages/
rendered to a plain `<name>.html` that nginx serves as it is; the pages then call the API from the browser.

They show no data, so they are built once per deployment (`manage.py build_pages`), unlike the home and
detail pages, which are regenerated when the data they show changes.
"""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from meiduo_mall.apps.goods.static_html import write_static_html


def shop_page_names():
    pages = Path(settings.TEMPLATES[0]["DIRS"][0]) / "pages"
    return sorted(path.stem for path in pages.glob("*.html"))


def build_shop_pages(pages_dir=None):
    """Write every shop page to `pages_dir` (GENERATED_STATIC_HTML_FILES_DIR); returns the files written."""
    return [
        write_static_html(f"{name}.html", render_to_string(f"pages/{name}.html", {"page": name}), pages_dir)
        for name in shop_page_names()
    ]
