from django.db.models import Prefetch
from rest_framework.viewsets import ReadOnlyModelViewSet
from rest_framework_extensions.cache.mixins import CacheResponseMixin

from meiduo_mall.utils.db_router import replica_reads

from .models import Area
from .serializers import AreaSerializer, AreaWithSubsSerializer
from .services import area_response_cache_key


class AreasViewSet(CacheResponseMixin, ReadOnlyModelViewSet):
    """A1 `GET /areas/` (provinces) and A2 `GET /areas/<id>/` ({id, name, subs}), cached for an hour.

    Public data: no authentication, so a stale token in the browser never turns the selects into a 401.
    """

    authentication_classes = ()
    pagination_class = None
    lookup_value_regex = r"\d{1,12}"
    list_cache_key_func = object_cache_key_func = staticmethod(area_response_cache_key)

    # Read-only and rarely changed: the replica serves it.
    @replica_reads()
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if self.action == "list":
            return Area.objects.filter(parent=None).order_by("id")
        return Area.objects.prefetch_related(Prefetch("subs", queryset=Area.objects.order_by("id")))

    def get_serializer_class(self):
        return AreaSerializer if self.action == "list" else AreaWithSubsSerializer
