from django.conf import settings


def add_pages_dir_argument(parser):
    """--pages-dir of the commands that write into the directory the web server serves the pages from."""
    parser.add_argument(
        "--pages-dir",
        default=str(settings.GENERATED_STATIC_HTML_FILES_DIR),
        help="the directory nginx serves the pages from (default: GENERATED_STATIC_HTML_FILES_DIR)",
    )
