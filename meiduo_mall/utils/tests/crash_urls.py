"""The shop's URLs and handlers plus two views that crash, for the 500 tests."""

from django.urls import path
from rest_framework.views import APIView

from meiduo_mall.urls import handler400, handler404, handler500
from meiduo_mall.urls import urlpatterns as shop_urlpatterns

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]

SECRET = "secret-internal-detail"


def crash(request):
    raise RuntimeError(SECRET)


class CrashingAPIView(APIView):
    authentication_classes = ()

    def get(self, request):
        raise RuntimeError(SECRET)


urlpatterns = [
    path("crash/", crash),
    path("crash-api/", CrashingAPIView.as_view()),
    path("crash/page.html", crash),
    *shop_urlpatterns,
]
