"""Registry API: read viewsets (shared filters with the pages) and one view per counter form.

`registry.api.views` holds the record endpoints, `registry.api.upload` the bulk upload.
"""

from rest_framework.routers import DefaultRouter

from registry.api import upload, views

router = DefaultRouter()
for prefix, viewset, basename in views.ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [*views.PATHS, *upload.PATHS, *router.urls]
