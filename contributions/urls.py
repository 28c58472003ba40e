from django.urls import path

from contributions import arrears_views, upload_views, verify_views, views, voluntary_views

app_name = "contributions"

urlpatterns = [
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt_detail"),
    path("counter/", views.counter, name="counter"),
    path("counter/person/", views.counter_person, name="counter_person"),
    path("statements/", views.statement_list, name="statement_list"),
    path("statements/<int:pk>/pay/", views.statement_pay, name="statement_pay"),
    path("receipts/", views.receipt_list, name="receipt_list"),
    path("receipts/<int:pk>/pdf/", views.receipt_pdf_view, name="receipt_pdf"),
    path("receipts/<int:pk>/void/", views.receipt_void, name="receipt_void"),
    path("statements/upload/", upload_views.statement_upload, name="statement_upload"),
    path("statements/upload/result/", upload_views.statement_upload_result, name="statement_upload_result"),
    path(
        "statements/upload/errors/<slug:token>.csv",
        upload_views.statement_upload_errors,
        name="statement_upload_errors",
    ),
    path("statements/<int:pk>/sso110.txt", upload_views.statement_sso110, name="statement_sso110"),
]

# The back office: the verifier's work queue and the reimbursements of overpayments.
urlpatterns += [
    path("verify/", verify_views.verify_queue, name="verify_queue"),
    path("verify/<int:pk>/", verify_views.verify_statement, name="verify_statement"),
    path("verify/<int:pk>/accept/", verify_views.findings_accept, name="findings_accept"),
    path("verify/findings/<int:pk>/resolve/", verify_views.finding_resolve, name="finding_resolve"),
    path("reimbursements/", verify_views.reimbursement_list, name="reimbursement_list"),
    path("reimbursements/<int:pk>/decide/", verify_views.reimbursement_decide, name="reimbursement_decide"),
    path("reimbursements/batches/", verify_views.reimbursement_batch_create, name="reimbursement_batch_create"),
    path("reimbursements/batches/<int:pk>/pay/", verify_views.reimbursement_batch_pay, name="reimbursement_batch_pay"),
]
urlpatterns += [
    path("arrears/", arrears_views.arrears_page, name="arrears"),
    path("arrears/export.<str:fmt>", arrears_views.arrears_export, name="arrears_export"),
    path("voluntary/<int:pk>/", voluntary_views.voluntary_pay, name="voluntary_pay"),
]
