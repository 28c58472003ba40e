"""Signals between the apps, kept here, below every app, so no app imports another to hear it.

`case_event`: a step of a customer's case done by an officer, sent by the app that did it
(benefits: "claim_recorded", "claim_decided"; contributions: "receipt_issued") once its
transaction has committed, with `kind`, `officer`, `record` (the claim or the receipt), `at`
(when the step was done) and `customer` (whom the case is for, a `Customer`). The queue hears
it (queueing.apps) to time the whole process of the visit the officer is serving for that
customer: ticket issued -> the case's step.
"""

from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

case_event = Signal()  # kind, officer, record, at, customer

# A customer's kind, as a queue ticket names it (queueing.models.Ticket.CustomerKind).
EMPLOYER = "employer"
INSURED = "insured"


@dataclass(frozen=True)
class Customer:
    """Whom a case is for, as the queue's tickets name their customer: `kind` EMPLOYER (`ref`
    the employer's 10-digit account number) or INSURED (`ref` the person's 13-digit national
    ID), and `records`, the model instances a ticket may be tied to for this case
    (queueing.services.ticket_case_link: the employer or the person, the statement)."""

    kind: str
    ref: str
    records: tuple = ()


CLAIM_RECORDED = "claim_recorded"
CLAIM_DECIDED = "claim_decided"
RECEIPT_ISSUED = "receipt_issued"


def case_event_send(*, kind: str, officer, record, at, customer: Customer) -> None:
    """Send `case_event` once the current transaction commits (now if none is open): a step
    rolled back is never heard, and the listeners' writes are not in the step's transaction
    (they neither hold its locks longer nor can make it fail). Sent robustly: a listener's
    error after the commit is logged, not raised to the officer whose step is already done."""
    transaction.on_commit(
        lambda: case_event.send_robust(
            sender=type(record), kind=kind, officer=officer, record=record, at=at, customer=customer
        )
    )
