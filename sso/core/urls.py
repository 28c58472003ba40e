from django.urls import path

from sso.core import rule_views, views
from sso.core.reporting import evidence_views as evidence
from sso.core.reporting import views as reports

app_name = "core"

urlpatterns = [
    # A public screen (kiosk, board) pairs itself here; no staff sign-in.
    path("device/", views.device_home, name="device_home"),
    path("device/pair/", views.device_pair, name="device_pair"),
    path("office/", views.my_office, name="my_office"),
    path("offices/", views.office_list_view, name="office_list"),
    path("offices/<str:code>/", views.office_detail, name="office_detail"),
    path("offices/<str:code>/edit/", views.office_edit, name="office_edit"),
    path("history/", views.recent_changes, name="recent_changes"),
    path("history/<str:label>/<int:pk>/", views.record_history, name="record_history"),
    # The rule tables: read, and changed with four eyes (head-office rules administrators).
    path("rules/", rule_views.rules_index, name="rules"),
    path("rules/changes/<int:pk>/", rule_views.rule_change, name="rule_change"),
    path("rules/changes/<int:pk>/confirm/", rule_views.rule_change_confirm_view, name="rule_change_confirm"),
    path("rules/changes/<int:pk>/withdraw/", rule_views.rule_change_withdraw_view, name="rule_change_withdraw"),
    path("rules/<str:key>/", rule_views.rules_table, name="rules_table"),
    path("rules/<str:key>/propose/", rule_views.rule_propose, name="rule_propose"),
    # Reports: the pages, and each table of a section as a file (fmt: csv or xlsx).
    path("reports/", reports.report_page, {"page": "office"}, name="reports_office"),
    path("reports/national/", reports.report_page, {"page": "national"}, name="reports_national"),
    path("reports/backoffice/", reports.report_page, {"page": "backoffice"}, name="reports_backoffice"),
    path(
        "reports/office/<slug:section>/<slug:table>.<str:fmt>",
        reports.report_export,
        {"page": "office"},
        name="reports_office_export",
    ),
    path(
        "reports/national/<slug:section>/<slug:table>.<str:fmt>",
        reports.report_export,
        {"page": "national"},
        name="reports_national_export",
    ),
    path(
        "reports/backoffice/<slug:section>/<slug:table>.<str:fmt>",
        reports.report_export,
        {"page": "backoffice"},
        name="reports_backoffice_export",
    ),
    # The monthly evidence reports: kept, listed, generated on demand, each PDF downloaded.
    path("reports/evidence/", evidence.evidence_list, name="evidence_list"),
    path("reports/evidence/new/", evidence.evidence_create, name="evidence_create"),
    path("reports/evidence/<int:pk>.pdf", evidence.evidence_pdf, name="evidence_pdf"),
]
