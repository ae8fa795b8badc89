import json
from pathlib import Path

from django.core.cache import cache
from django.db import transaction

from .models import Area

AREAS_FILE = Path(__file__).resolve().parent / "data" / "areas.json"
AREA_RESPONSE_CACHE_PREFIX = "area_response"


def area_response_cache_key(view_instance, view_method, request, args, kwargs):
    """One plain key per area (and one for the province list), so a data reload can drop them all."""
    return f"{AREA_RESPONSE_CACHE_PREFIX}:{kwargs.get('pk', 'provinces')}"


def load_areas(path=AREAS_FILE):
    """Bring tb_areas in line with the data file: insert missing rows, fix changed ones.

    Returns (created, updated). Rows not in the file are left alone: addresses may point at them.
    """
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    existing = {pk: (name, parent_id) for pk, name, parent_id in Area.objects.values_list("id", "name", "parent_id")}
    # The file lists parents before children, so one ordered INSERT satisfies the foreign key.
    missing = [Area(id=pk, name=name, parent_id=parent_id) for pk, name, parent_id in rows if pk not in existing]
    changed = [
        Area(id=pk, name=name, parent_id=parent_id)
        for pk, name, parent_id in rows
        if pk in existing and existing[pk] != (name, parent_id)
    ]
    with transaction.atomic():
        Area.objects.bulk_create(missing, batch_size=1000)
        Area.objects.bulk_update(changed, ["name", "parent"], batch_size=500)
    if missing or changed:
        cache.delete_pattern(f"{AREA_RESPONSE_CACHE_PREFIX}:*")
    return len(missing), len(changed)
