from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.viewsets import ReadOnlyModelViewSet

from meiduo_mall.utils.db_router import replica_reads
from meiduo_mall.utils.ready_json import JSONOnly, ReadyJSONAnswerMixin, json_response

from . import services
from .models import Area
from .serializers import AreaSerializer, AreaWithSubsSerializer

AREA_NOT_FOUND = "地区不存在"


class AreasViewSet(ReadyJSONAnswerMixin, ReadOnlyModelViewSet):
    """A1 `GET /areas/` (provinces) and A2 `GET /areas/<id>/` ({id, name, subs}), answered from ready JSON
    bytes that load_areas drops when it changes the data.

    Public data: no authentication, so a stale token in the browser never turns the selects into a 401.
    """

    authentication_classes = ()
    permission_classes = ()
    content_negotiation_class = JSONOnly
    pagination_class = None
    queryset = Area.objects.none()
    lookup_value_regex = r"\d{1,12}"

    def get_serializer_class(self):
        return AreaSerializer if self.action == "list" else AreaWithSubsSerializer

    # Read-only and rarely changed: the replica serves it.
    @replica_reads()
    def answer(self, request, pk=None):
        if pk is None:
            return services.provinces_json()
        try:
            return services.area_json(int(pk))
        except Area.DoesNotExist as exc:
            raise NotFound(AREA_NOT_FOUND) from exc

    @extend_schema(responses=AreaSerializer(many=True))
    def list(self, request):
        return json_response(self.answer(request))

    @extend_schema(responses=AreaWithSubsSerializer)
    def retrieve(self, request, pk):
        return json_response(self.answer(request, pk))
