from django.urls import path

from registry.views import pages, uploads
from registry.views.counter_forms import counter_form_view

app_name = "registry"

urlpatterns = [
    path("search/", pages.search, name="search"),
    path("persons/", pages.person_list, name="person_list"),
    path("employers/", pages.employer_list, name="employer_list"),
    path("persons/<int:pk>/", pages.person_detail, name="person"),
    path("persons/reads/", pages.person_reads, name="person_reads"),
    path("persons/<int:pk>/edit/", counter_form_view("person_edit"), name="person_edit"),
    path("persons/<int:pk>/hospital/", counter_form_view("hospital_change"), name="hospital_change"),
    path("persons/<int:pk>/bank-account/", counter_form_view("bank_account"), name="bank_account"),
    path("persons/<int:pk>/dependants/new/", counter_form_view("dependant_add"), name="dependant_add"),
    path("persons/<int:pk>/section-39/", counter_form_view("section39"), name="section39"),
    path("persons/<int:pk>/section-40/", pages.section40, name="section40_person"),
    path("persons/<int:pk>/merge/", pages.person_merge, name="person_merge"),
    path("merges/<int:pk>/undo/", pages.person_unmerge, name="person_unmerge"),
    path("section-40/", pages.section40, name="section40"),
    path("employers/new/", counter_form_view("employer_register"), name="employer_register"),
    path("employers/<int:pk>/", pages.employer_detail, name="employer"),
    path("employers/<int:pk>/branches/new/", counter_form_view("branch_add"), name="branch_add"),
    path("employers/<int:pk>/cease/", counter_form_view("employer_cease"), name="employer_cease"),
    path("employers/<int:pk>/employees/new/", pages.employee_register, name="employee_register"),
    path("employments/<int:pk>/leave/", counter_form_view("employee_leave"), name="employee_leave"),
    path("uploads/", uploads.upload_list, name="upload_list"),
    path("uploads/new/", uploads.upload_new, name="upload_new"),
    path("uploads/template.csv", uploads.upload_template, name="upload_template"),
    path("uploads/<int:pk>/", uploads.upload_detail, name="upload"),
    path("uploads/<int:pk>/progress/", uploads.upload_progress, name="upload_progress"),
    path("uploads/<int:pk>/errors.csv", uploads.upload_errors, name="upload_errors"),
]
