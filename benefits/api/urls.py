"""Benefits API: the claims, read-only (`benefits.api.views`)."""

from rest_framework.routers import DefaultRouter

from benefits.api import views

router = DefaultRouter()
for prefix, viewset, basename in views.ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = router.urls
