from django.urls import path

from contributions.views import account, arrears, counter, reimbursements, statements, upload, verify, voluntary

app_name = "contributions"

urlpatterns = [
    path("statements/<int:pk>/", statements.statement_detail, name="statement_detail"),
    path("receipts/<int:pk>/", statements.receipt_detail, name="receipt_detail"),
    path("counter/", counter.counter, name="counter"),
    path("counter/person/", counter.counter_person, name="counter_person"),
    path("statements/", statements.statement_list, name="statement_list"),
    path("statements/<int:pk>/pay/", statements.statement_pay, name="statement_pay"),
    path("receipts/", statements.receipt_list, name="receipt_list"),
    path("receipts/<int:pk>/pdf/", statements.receipt_pdf_view, name="receipt_pdf"),
    path("receipts/<int:pk>/void/", statements.receipt_void, name="receipt_void"),
    path("statements/upload/", upload.statement_upload, name="statement_upload"),
    path("statements/upload/result/", upload.statement_upload_result, name="statement_upload_result"),
    path(
        "statements/upload/errors/<slug:token>.csv",
        upload.statement_upload_errors,
        name="statement_upload_errors",
    ),
    path("statements/<int:pk>/sso110.txt", upload.statement_sso110, name="statement_sso110"),
]

# The back office: the verifier's work queue and the reimbursements of overpayments.
urlpatterns += [
    path("verify/", verify.verify_queue, name="verify_queue"),
    path("verify/<int:pk>/", verify.verify_statement, name="verify_statement"),
    path("verify/<int:pk>/accept/", verify.findings_accept, name="findings_accept"),
    path("verify/findings/<int:pk>/resolve/", verify.finding_resolve, name="finding_resolve"),
    path("reimbursements/", verify.reimbursement_list, name="reimbursement_list"),
    path("reimbursements/<int:pk>/decide/", verify.reimbursement_decide, name="reimbursement_decide"),
    path("reimbursements/batches/", verify.reimbursement_batch_create, name="reimbursement_batch_create"),
    path("reimbursements/batches/<int:pk>/pay/", verify.reimbursement_batch_pay, name="reimbursement_batch_pay"),
    # Paid through the bank: the same batch file and confirmation as benefits' (sso.core.payouts).
    path("reimbursements/batches/<int:pk>/", reimbursements.reimbursement_batch, name="reimbursement_batch"),
    path(
        "reimbursements/batches/<int:pk>/file.csv",
        reimbursements.reimbursement_batch_file,
        name="reimbursement_batch_file",
    ),
    path("reimbursements/returned/", reimbursements.reimbursement_returned, name="reimbursement_returned"),
    path(
        "reimbursements/<int:pk>/returned/",
        reimbursements.reimbursement_returned_action,
        name="reimbursement_returned_action",
    ),
]
urlpatterns += [
    path("arrears/", arrears.arrears_page, name="arrears"),
    path("arrears/export.<str:fmt>", arrears.arrears_export, name="arrears_export"),
    path("voluntary/<int:pk>/", voluntary.voluntary_pay, name="voluntary_pay"),
]
# The employer's account (issue 15, part 2): several months in one visit, arrears notices.
urlpatterns += [
    path("employers/<int:pk>/account/", account.employer_account, name="employer_account"),
    path("employers/<int:pk>/months/pay/", account.employer_months_pay, name="employer_months_pay"),
    path("employers/<int:pk>/notices/", account.arrears_notice_issue, name="arrears_notice_issue"),
    path("notices/<int:pk>/pdf/", account.arrears_notice_pdf, name="arrears_notice_pdf"),
    path("notices/<int:pk>/sent/", account.arrears_notice_sent, name="arrears_notice_sent"),
]
