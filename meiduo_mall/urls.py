from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from meiduo_mall.utils import health
from meiduo_mall.utils.front_end import serve_front_end
from meiduo_mall.utils.origins import serve_host_js

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", health.health, name="health"),
    path("health/ready/", health.ready, name="health-ready"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("meiduo_mall.apps.verifications.urls")),
    path("", include("meiduo_mall.apps.users.urls")),
    path("oauth/", include("meiduo_mall.apps.oauth.urls")),
    path("", include("meiduo_mall.apps.areas.urls")),
    path("", include("meiduo_mall.apps.goods.urls")),
    path("", include("meiduo_mall.apps.contents.urls")),
    path("", include("meiduo_mall.apps.carts.urls")),
    path("", include("meiduo_mall.apps.orders.urls")),
    path("", include("meiduo_mall.apps.payment.urls")),
]

if settings.SERVE_FRONT_END:
    from django.views.static import serve

    # MEDIA_URL is absolute, which django.conf.urls.static.static() declines to serve; the path is fixed.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
        path("js/host.js", serve_host_js),
        re_path(r"^(?P<path>.*)$", serve_front_end),
    ]
