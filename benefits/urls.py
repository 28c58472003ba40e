from django.urls import path

from benefits.views import appeals, claims, medical, payments, verify

app_name = "benefits"

urlpatterns = [
    path("claims/", claims.claim_list, name="claim_list"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim"),
    path("claims/<int:pk>/documents/", claims.claim_documents, name="claim_documents"),
    path("claims/<int:pk>/decide/", claims.claim_decide, name="claim_decide"),
    path("claims/<int:pk>/slip/", claims.claim_slip, name="claim_slip"),
    path("claims/<int:pk>/letter.pdf", claims.claim_letter, name="claim_letter"),
    path("claims/<int:pk>/appeal/", appeals.claim_appeal, name="claim_appeal"),
    path("appeals/", appeals.appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/", appeals.appeal_action, name="appeal_action"),
    path("persons/<int:pk>/claims/new/", claims.claim_new, name="claim_new"),
    path("persons/<int:pk>/claims/checklist/", claims.claim_checklist, name="claim_checklist"),
    path("persons/<int:pk>/claims/slip/", claims.person_slip, name="person_slip"),
    path("payments/", payments.payments_home, name="payments"),
    path("payments/batches/<int:pk>/", payments.batch_detail, name="batch"),
    path("payments/batches/<int:pk>/file/", payments.batch_file, name="batch_file"),
    path(
        "payments/batches/<int:pk>/confirmation-errors/<slug:token>.csv",
        payments.batch_confirmation_errors,
        name="batch_confirmation_errors",
    ),
    path("payments/returned/", payments.returned, name="payments_returned"),
    path("payments/recurring/", payments.recurring, name="payments_recurring"),
    path("payments/orders/<int:pk>/", payments.order_action, name="payment_order"),
    path("verify/", verify.verify_list, name="verify_list"),
    path("verify/findings/<int:pk>/", verify.finding_resolve, name="finding_resolve"),
]
# The medical processes (issue 20, part 4): medical expenses, hospitals' high-cost requests.
urlpatterns += [
    path("persons/<int:pk>/medical/new/", medical.medical_claim_new, name="medical_claim_new"),
    path("hospital-requests/", medical.hospital_requests, name="hospital_requests"),
    path("hospital-requests/<int:pk>/", medical.hospital_request_detail, name="hospital_request"),
    path("hospital-requests/batches/", medical.hospital_batch_new, name="hospital_batch_new"),
    path("hospital-requests/batches/<int:pk>/", medical.hospital_batch_detail, name="hospital_batch"),
    path("hospital-requests/batches/<int:pk>/file.csv", medical.hospital_batch_file, name="hospital_batch_file"),
]
