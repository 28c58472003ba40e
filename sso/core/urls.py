from django.urls import path

from sso.core import views

app_name = "core"

urlpatterns = [
    path("office/", views.my_office, name="my_office"),
    path("offices/", views.office_list_view, name="office_list"),
    path("offices/<str:code>/", views.office_detail, name="office_detail"),
    path("offices/<str:code>/edit/", views.office_edit, name="office_edit"),
    path("history/", views.recent_changes, name="recent_changes"),
    path("history/<str:label>/<int:pk>/", views.record_history, name="record_history"),
]
