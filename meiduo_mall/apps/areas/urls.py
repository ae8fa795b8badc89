from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("areas", views.AreasViewSet, basename="areas")

urlpatterns = router.urls
