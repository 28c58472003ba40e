"""Signals between the apps, kept here, below every app, so no app imports another to hear it.

`case_event`: a step of a customer's case done by an officer, sent by the app that did it
(benefits: "claim_recorded", "claim_decided"; contributions: "receipt_issued") once its
transaction has committed, with `kind`, `officer`, `record` (the claim or the receipt) and
`at` (when the step was done). The queue hears it (queueing.apps) to time the whole process
of the visit the officer is serving: ticket issued -> the case's step.
"""

from django.db import transaction
from django.dispatch import Signal

case_event = Signal()  # kind, officer, record, at

CLAIM_RECORDED = "claim_recorded"
CLAIM_DECIDED = "claim_decided"
RECEIPT_ISSUED = "receipt_issued"


def case_event_send(*, kind: str, officer, record, at) -> None:
    """Send `case_event` once the current transaction commits (now if none is open): a step
    rolled back is never heard, and the listeners' writes are not in the step's transaction
    (they neither hold its locks longer nor can make it fail). Sent robustly: a listener's
    error after the commit is logged, not raised to the officer whose step is already done."""
    transaction.on_commit(
        lambda: case_event.send_robust(sender=type(record), kind=kind, officer=officer, record=record, at=at)
    )
