"""The lifecycles of benefits' records: every allowed move of a status, in one place.

Each table is a `sso.core.lifecycle.Lifecycle`: services move a record through
`LIFECYCLE.move(...)` (checked against the table, saved with `update_fields`, audited, and for
a claim a `ClaimStep` written), and the bulk moves in SQL (a bank batch taking its orders, the
bank's confirmation) restrict their WHERE to `LIFECYCLE.sources(target)`. A move the table
does not hold is refused as a field error and nothing is written.

A record's first status is not a move: a claim is recorded (its first step row comes from
`claim_step_write`), a payment order is made `pending` or `held`, a batch `open`, an appeal
`lodged`, a finding `open`.
"""

from benefits.models import Appeal, Claim, ClaimFinding, ClaimStep, PaymentBatch, PaymentOrder
from sso.core.lifecycle import Lifecycle

C = Claim.Status
O = PaymentOrder.Status  # noqa: E741 - the letter reads as the table's name
A = Appeal.Status
B = PaymentBatch.Status
F = ClaimFinding.Status


def claim_step_write(claim: Claim, from_status: str, officer, note: str = "", to_status: str | None = None) -> None:
    """A claim's step row: from a status to its status now (or to `to_status`, the steps of an
    appeal, which leave the claim's status as it is)."""
    ClaimStep.objects.create(
        claim=claim, from_status=from_status, to_status=to_status or claim.status, by=officer, note=note
    )


def _appeal_step(appeal: Appeal, from_status: str, officer, note: str) -> None:
    """An appeal decided or withdrawn: the claim's step from "appealed" to its status now."""
    claim_step_write(appeal.claim, Appeal.STEP, officer, note)


CLAIM = Lifecycle(
    Claim,
    {
        C.RECORDED: {C.EXAMINED, C.WITHDRAWN},
        # Examined: decided at the counter, referred, or withdrawn by the person.
        C.EXAMINED: {C.REFERRED, C.APPROVED, C.REJECTED, C.WITHDRAWN},
        # Referred: decided by the back office; a confirmed finding sends it back to examined.
        C.REFERRED: {C.APPROVED, C.REJECTED, C.EXAMINED, C.WITHDRAWN},
        # Approved: paid (a one-off claim whose orders are all paid); a confirmed finding of the
        # back office sends it back to examined for a new decision.
        C.APPROVED: {C.PAID, C.EXAMINED},
        # Rejected: an appeal upheld approves it; the person may withdraw it.
        C.REJECTED: {C.APPROVED, C.WITHDRAWN},
    },
    step=lambda claim, from_status, officer, note: claim_step_write(claim, from_status, officer, note),
)

PAYMENT_ORDER = Lifecycle(
    PaymentOrder,
    {
        # Held while the back office verifies the claim: released, or cancelled by a finding.
        O.HELD: {O.PENDING, O.CANCELLED},
        # To pay: into a bank batch, paid at the office (cash or cheque), or cancelled.
        O.PENDING: {O.IN_BATCH, O.PAID, O.CANCELLED},
        # With the bank: its confirmation says paid or failed.
        O.IN_BATCH: {O.PAID, O.FAILED},
        # Returned by the bank: queued again (to the account as it is now) or cancelled.
        O.FAILED: {O.PENDING, O.CANCELLED},
    },
)

PAYMENT_BATCH = Lifecycle(
    PaymentBatch,
    {
        B.OPEN: {B.SENT},
        B.SENT: {B.CONFIRMED},
    },
)

APPEAL = Lifecycle(
    Appeal,
    {A.LODGED: {A.UPHELD, A.DISMISSED, A.WITHDRAWN}},
    step=_appeal_step,
)

FINDING = Lifecycle(
    ClaimFinding,
    {F.OPEN: {F.CLEARED, F.CONFIRMED}},
)

LIFECYCLES = (CLAIM, PAYMENT_ORDER, PAYMENT_BATCH, APPEAL, FINDING)
