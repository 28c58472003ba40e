from django.urls import path

from benefits import views

app_name = "benefits"

urlpatterns = [
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/documents/", views.claim_documents, name="claim_documents"),
    path("claims/<int:pk>/decide/", views.claim_decide, name="claim_decide"),
    path("claims/<int:pk>/slip/", views.claim_slip, name="claim_slip"),
    path("persons/<int:pk>/claims/new/", views.claim_new, name="claim_new"),
    path("persons/<int:pk>/claims/checklist/", views.claim_checklist, name="claim_checklist"),
    path("persons/<int:pk>/claims/slip/", views.person_slip, name="person_slip"),
]
