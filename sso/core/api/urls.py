from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from sso.core.api import views

router = DefaultRouter()
router.register("offices", views.OfficeViewSet, basename="office")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("auth/token/", obtain_auth_token, name="api-token"),
    *router.urls,
]
