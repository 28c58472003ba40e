from django.urls import path
from rest_framework.routers import DefaultRouter

from sso.core.api import views

router = DefaultRouter()
router.register("offices", views.OfficeViewSet, basename="office")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("auth/token/", views.TokenSignInView.as_view(), name="api-token"),
    path("auth/token/revoke/", views.TokenSignOutView.as_view(), name="api-token-revoke"),
    *router.urls,
]
