import json
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch
from rest_framework.renderers import JSONRenderer

from meiduo_mall.utils.ready_json import VersionedJSONCache

from .models import Area
from .serializers import AreaSerializer, AreaWithSubsSerializer

AREAS_FILE = Path(__file__).resolve().parent / "data" / "areas.json"
# The answers change only when load_areas changes rows; it bumps this version, which drops them all.
areas_cache = VersionedJSONCache("areas_version")


def provinces_json():
    """A1 as JSON bytes: every province, by id."""
    version, body = areas_cache.read("areas:provinces")
    if body is None:
        provinces = Area.objects.filter(parent=None).order_by("id")
        body = JSONRenderer().render(AreaSerializer(provinces, many=True).data)
        areas_cache.write("areas:provinces", version, body)
    return body


def area_json(area_id):
    """A2 as JSON bytes: the area and its subdivisions; raises Area.DoesNotExist."""
    name = f"areas:{area_id}"
    version, body = areas_cache.read(name)
    if body is None:
        area = Area.objects.prefetch_related(Prefetch("subs", queryset=Area.objects.order_by("id"))).get(id=area_id)
        body = JSONRenderer().render(AreaWithSubsSerializer(area).data)
        areas_cache.write(name, version, body)
    return body


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
        areas_cache.bump()
    return len(missing), len(changed)
