from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from meiduo_mall.apps.areas import urls as areas_urls
from meiduo_mall.apps.carts import urls as carts_urls
from meiduo_mall.apps.coupons import urls as coupons_urls
from meiduo_mall.apps.goods import urls as goods_urls
from meiduo_mall.apps.orders import urls as orders_urls
from meiduo_mall.apps.payment import urls as payment_urls
from meiduo_mall.apps.users import urls as users_urls
from meiduo_mall.apps.verifications import urls as verifications_urls
from meiduo_mall.utils import exceptions, health
from meiduo_mall.utils.front_end import serve_front_end
from meiduo_mall.utils.origins import serve_host_js

# Django tries the routes in order on every request, so the API comes first, the busiest paths at the top, and
# the apps' routes are spliced in rather than include("")d: an empty-prefix include is a nested resolver that
# every later path enters and fails (a Resolver404 raised and caught per app). The back office and the pages'
# catch-all come last. No two apps share a route, so the order changes only the time a match takes.
urlpatterns = [
    path("health/", health.health, name="health"),
    *carts_urls.urlpatterns,
    *goods_urls.urlpatterns,
    *orders_urls.urlpatterns,
    *coupons_urls.urlpatterns,
    *areas_urls.urlpatterns,
    *users_urls.urlpatterns,
    *payment_urls.urlpatterns,
    *verifications_urls.urlpatterns,
    path("oauth/", include("meiduo_mall.apps.oauth.urls")),
    path("health/ready/", health.ready, name="health-ready"),
]
if settings.API_DOCS_PUBLIC:
    urlpatterns += [
        path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
        path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    ]
urlpatterns.append(path("admin/exports/", include("meiduo_mall.utils.export_jobs")))
urlpatterns.append(path("admin/", admin.site.urls))

# On the API's paths these answer JSON; the back office and the pages keep Django's HTML.
handler400 = exceptions.bad_request
handler404 = exceptions.page_not_found
handler500 = exceptions.server_error

if settings.SERVE_FRONT_END:
    from django.views.static import serve

    # MEDIA_URL is absolute, which django.conf.urls.static.static() declines to serve; the path is fixed.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
        path("js/host.js", serve_host_js),
        re_path(r"^(?P<path>.*)$", serve_front_end),
    ]
