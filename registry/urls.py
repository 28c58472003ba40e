from django.urls import path

from registry import upload_views, views

app_name = "registry"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("persons/", views.person_list, name="person_list"),
    path("employers/", views.employer_list, name="employer_list"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/hospital/", views.hospital_change, name="hospital_change"),
    path("persons/<int:pk>/bank-account/", views.bank_account, name="bank_account"),
    path("persons/<int:pk>/dependants/new/", views.dependant_add, name="dependant_add"),
    path("persons/<int:pk>/section-39/", views.section39, name="section39"),
    path("persons/<int:pk>/section-40/", views.section40, name="section40_person"),
    path("persons/<int:pk>/merge/", views.person_merge, name="person_merge"),
    path("merges/<int:pk>/undo/", views.person_unmerge, name="person_unmerge"),
    path("section-40/", views.section40, name="section40"),
    path("employers/new/", views.employer_register, name="employer_register"),
    path("employers/<int:pk>/", views.employer_detail, name="employer"),
    path("employers/<int:pk>/branches/new/", views.branch_add, name="branch_add"),
    path("employers/<int:pk>/cease/", views.employer_cease, name="employer_cease"),
    path("employers/<int:pk>/employees/new/", views.employee_register, name="employee_register"),
    path("employments/<int:pk>/leave/", views.employee_leave, name="employee_leave"),
    path("uploads/", upload_views.upload_list, name="upload_list"),
    path("uploads/new/", upload_views.upload_new, name="upload_new"),
    path("uploads/template.csv", upload_views.upload_template, name="upload_template"),
    path("uploads/<int:pk>/", upload_views.upload_detail, name="upload"),
    path("uploads/<int:pk>/progress/", upload_views.upload_progress, name="upload_progress"),
    path("uploads/<int:pk>/errors.csv", upload_views.upload_errors, name="upload_errors"),
]
