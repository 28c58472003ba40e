"""Benefits API: claims and appeals (`benefits.api.views`), payment orders and batches
(`benefits.api.payments`)."""

from rest_framework.routers import DefaultRouter

from benefits.api import payments, views

router = DefaultRouter()
for prefix, viewset, basename in (*views.ROUTES, *payments.ROUTES):
    router.register(prefix, viewset, basename=basename)

# The actions first: the router's claims/<pk>/ must not take claims/<pk>/examine/.
urlpatterns = [*views.PATHS, *payments.PATHS, *router.urls]
