from django.urls import path

from benefits import payment_views, verify_views, views

app_name = "benefits"

urlpatterns = [
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/documents/", views.claim_documents, name="claim_documents"),
    path("claims/<int:pk>/decide/", views.claim_decide, name="claim_decide"),
    path("claims/<int:pk>/slip/", views.claim_slip, name="claim_slip"),
    path("claims/<int:pk>/letter.pdf", views.claim_letter, name="claim_letter"),
    path("claims/<int:pk>/appeal/", views.claim_appeal, name="claim_appeal"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/", views.appeal_action, name="appeal_action"),
    path("persons/<int:pk>/claims/new/", views.claim_new, name="claim_new"),
    path("persons/<int:pk>/claims/checklist/", views.claim_checklist, name="claim_checklist"),
    path("persons/<int:pk>/claims/slip/", views.person_slip, name="person_slip"),
    path("payments/", payment_views.payments_home, name="payments"),
    path("payments/batches/<int:pk>/", payment_views.batch_detail, name="batch"),
    path("payments/batches/<int:pk>/file/", payment_views.batch_file, name="batch_file"),
    path(
        "payments/batches/<int:pk>/confirmation-errors/<slug:token>.csv",
        payment_views.batch_confirmation_errors,
        name="batch_confirmation_errors",
    ),
    path("payments/returned/", payment_views.returned, name="payments_returned"),
    path("payments/recurring/", payment_views.recurring, name="payments_recurring"),
    path("payments/orders/<int:pk>/", payment_views.order_action, name="payment_order"),
    path("verify/", verify_views.verify_list, name="verify_list"),
    path("verify/findings/<int:pk>/", verify_views.finding_resolve, name="finding_resolve"),
]
