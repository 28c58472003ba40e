"""Contributions API: statements, payments (with idempotency keys), receipts, contribution months.

`contributions.api.views` holds the record endpoints.
"""

from rest_framework.routers import DefaultRouter

from contributions.api import upload, views

router = DefaultRouter()
for prefix, viewset, basename in views.ROUTES:
    router.register(prefix, viewset, basename=basename)

# The file upload first: the router's statements/<pk>/ would take statements/file/.
urlpatterns = [*upload.PATHS, *views.PATHS, *router.urls]
