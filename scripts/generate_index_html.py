#!/usr/bin/env python
"""Generate the home page: `python scripts/generate_index_html.py` (settings from DJANGO_SETTINGS_MODULE)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meiduo_mall.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("generate_index_html")
