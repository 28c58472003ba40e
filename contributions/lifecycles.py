"""The lifecycles of contribution records: every allowed move of a status, in one place.

Each table is a `sso.core.lifecycle.Lifecycle`: services move a record through
`LIFECYCLE.move(...)` (checked against the table, saved with `update_fields`, audited), or
check the move with `LIFECYCLE.check(...)` where the record is saved on the peak path's own
audited write (a statement paid at the counter); bulk moves (a reimbursement batch paid, the
findings of one kind accepted) restrict their rows to `LIFECYCLE.sources(target)`. A move
the table does not hold is refused as a field error and nothing is written.

A record's first status is not a move: a statement is filed `accepted`, a reimbursement
`requested`, a finding `open`.
"""

from contributions.models import Finding, Reimbursement, ReimbursementBatch, Statement
from sso.core.lifecycle import Lifecycle

S = Statement.Status
R = Reimbursement.Status
F = Finding.Status

STATEMENT = Lifecycle(
    Statement,
    {
        # Paid by its (first) payment; a voided receipt of the payment paying it makes it unpaid
        # again unless another payment of it is held.
        S.ACCEPTED: {S.PAID},
        S.PAID: {S.ACCEPTED},
    },
)

REIMBURSEMENT = Lifecycle(
    Reimbursement,
    {
        # Decided by the back office; an approved one is paid with its batch. A receipt voided
        # before the money left (no batch yet) withdraws the request its payment made, or the
        # request of the payment that now pays the statement (contributions.services.receipt_void).
        R.REQUESTED: {R.APPROVED, R.REJECTED, R.WITHDRAWN},
        # Approved: into a bank batch, or paid with a batch without a bank (cheques, by hand).
        R.APPROVED: {R.IN_BATCH, R.PAID, R.WITHDRAWN},
        # With the bank: its confirmation says paid or failed (sso.core.payouts).
        R.IN_BATCH: {R.PAID, R.FAILED},
        # Returned by the bank: approved again to a corrected account, or cancelled.
        R.FAILED: {R.APPROVED, R.CANCELLED},
    },
)

REIMBURSEMENT_BATCH = Lifecycle(
    ReimbursementBatch,
    {
        # A bank batch is sent, then confirmed by the bank's file; a batch without a bank
        # (cheques) is confirmed when marked paid by hand.
        ReimbursementBatch.Status.OPEN: {ReimbursementBatch.Status.SENT, ReimbursementBatch.Status.CONFIRMED},
        ReimbursementBatch.Status.SENT: {ReimbursementBatch.Status.CONFIRMED},
    },
)

FINDING = Lifecycle(
    Finding,
    {
        # Resolved by a verifier: accepted as filed, corrected by an amending statement, referred.
        F.OPEN: {F.ACCEPTED, F.CORRECTED, F.REFERRED},
    },
)
