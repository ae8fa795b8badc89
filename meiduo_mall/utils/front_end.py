from django.conf import settings
from django.shortcuts import redirect
from django.views.static import serve


def serve_front_end(request, path):
    """Serve front_end_pc/ from the API's own origin (demo and tests; nginx in production)."""
    if path in ("", "/"):
        return redirect("/index.html")
    response = serve(request, path, document_root=settings.FRONT_END_DIR)
    if path.endswith(".html"):
        response["Cache-Control"] = "no-cache"
    return response
