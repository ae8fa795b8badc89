#!/usr/bin/env python
"""Bring the SKU detail pages up to date (settings from DJANGO_SETTINGS_MODULE, dev by default).

Arguments go to `manage.py regenerate_detail_html`: `--all` writes every page, `--jobs N` renders in N processes.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meiduo_mall.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("regenerate_detail_html", *sys.argv[1:])
