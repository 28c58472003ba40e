from django.urls import path
from rest_framework.routers import DefaultRouter

from sso.core.api import reports, rules, views

router = DefaultRouter()
router.register("offices", views.OfficeViewSet, basename="office")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("auth/token/", views.TokenSignInView.as_view(), name="api-token"),
    path("auth/token/revoke/", views.TokenSignOutView.as_view(), name="api-token-revoke"),
    path("reports/office/", reports.OfficeReportView.as_view(), name="api-reports-office"),
    path("reports/national/", reports.NationalReportView.as_view(), name="api-reports-national"),
    path("reports/backoffice/", reports.BackofficeReportView.as_view(), name="api-reports-backoffice"),
    path("rules/", rules.RuleTableListView.as_view(), name="api-rules"),
    path("rules/<str:table>/", rules.RuleRowsView.as_view(), name="api-rules-table"),
    *router.urls,
]
