from pathlib import Path

from django.conf import settings
from django.shortcuts import redirect
from django.views.static import serve


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
    response = serve(request, path, document_root=document_root)
    if path.endswith(".html"):
        response["Cache-Control"] = "no-cache"
    return response
