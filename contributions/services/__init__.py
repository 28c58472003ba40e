"""Writes of contribution collection, one module per concern: statements (SSO 1-10) and
their files, payments, receipts and voids, voluntary contributions, the back office's
verification and the reimbursements. Every function runs in one transaction and takes the
officer. The public functions and types are importable from here:
`from contributions import services; services.statement_submit(...)`.
"""

from contributions.services.account import arrears_notice_issue, arrears_notice_send, statement_months_pay
from contributions.services.common import one_or_none
from contributions.services.payments import AmountDue, statement_amount_due, statement_pay
from contributions.services.receipts import receipt_void
from contributions.services.reimbursements import (
    reimbursement_approve,
    reimbursement_batch_create,
    reimbursement_batch_file,
    reimbursement_batch_pay,
    reimbursement_batch_send,
    reimbursement_cancel,
    reimbursement_confirmation_import,
    reimbursement_reject,
    reimbursement_requeue,
)
from contributions.services.statement_files import statement_file_submit
from contributions.services.statements import (
    Checked,
    Declared,
    LineError,
    LineInput,
    StatementRefused,
    statement_check,
    statement_submit,
)
from contributions.services.summaries import collection_day_changed, collection_summary_fill, collection_summary_roll
from contributions.services.verification import (
    RESOLUTIONS,
    finding_resolve,
    findings_accept,
    statement_verify,
)
from contributions.services.voluntary import voluntary_amount_due, voluntary_pay

__all__ = [
    "RESOLUTIONS",
    "AmountDue",
    "arrears_notice_issue",
    "arrears_notice_send",
    "Checked",
    "Declared",
    "LineError",
    "LineInput",
    "StatementRefused",
    "collection_day_changed",
    "collection_summary_fill",
    "collection_summary_roll",
    "finding_resolve",
    "findings_accept",
    "one_or_none",
    "receipt_void",
    "reimbursement_approve",
    "reimbursement_batch_create",
    "reimbursement_batch_file",
    "reimbursement_batch_pay",
    "reimbursement_batch_send",
    "reimbursement_cancel",
    "reimbursement_confirmation_import",
    "reimbursement_reject",
    "reimbursement_requeue",
    "statement_amount_due",
    "statement_check",
    "statement_months_pay",
    "statement_file_submit",
    "statement_pay",
    "statement_submit",
    "statement_verify",
    "voluntary_amount_due",
    "voluntary_pay",
]
