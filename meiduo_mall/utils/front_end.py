from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views import defaults
from django.views.static import serve

NOT_FOUND_PAGE = "404.html"


def serve_front_end(request, path):
    """Serve front_end_pc/ from the API's own origin (demo and tests; nginx in production).

    Pages are looked up first where the generator writes them (GENERATED_STATIC_HTML_FILES_DIR, which is
    front_end_pc/ itself except in tests), then in front_end_pc/: scripts, styles and the shop's pages
    that `manage.py build_pages` writes there at set-up.
    """
    if path in ("", "/"):
        return redirect("/index.html")
    generated_dir = Path(settings.GENERATED_STATIC_HTML_FILES_DIR)
    document_root = generated_dir if (generated_dir / path).is_file() else settings.FRONT_END_DIR
    try:
        response = serve(request, path, document_root=document_root)
    except Http404 as exc:
        if not names_a_file(path):
            raise  # an API path: handler404 answers its JSON
        # Answered here rather than raised: with DEBUG on, Django would show its debug page, every URL
        # pattern and the server's paths, to a shopper who mistyped an address.
        return not_found_page(request, exc)
    if path.endswith(".html"):
        response["Cache-Control"] = "no-cache"
    return response


def names_a_file(path):
    """Whether a path is a page's or another file's (front end, media): the API's paths end with a slash (or
    a captcha id), and none has a dot in its last part."""
    return "." in path.rsplit("/", 1)[-1]


def not_found_page(request, exception):
    """The shop's 404 page (pages/404.html as build_pages wrote it), as nginx's error_page serves it; Django's
    plain one where the pages were not built."""
    for directory in (settings.GENERATED_STATIC_HTML_FILES_DIR, settings.FRONT_END_DIR):
        page = Path(directory) / NOT_FOUND_PAGE
        if page.is_file():
            response = HttpResponse(page.read_bytes(), status=404, content_type="text/html; charset=utf-8")
            response["Cache-Control"] = "no-cache"
            return response
    return defaults.page_not_found(request, exception)
