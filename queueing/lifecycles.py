"""A ticket's lifecycle: the one table of its status moves, and the outcome each close may have.

Every status change in Python goes through `TICKET_LIFECYCLE.move` (queueing.services); the
database function queue_call_next (queueing/sql/queue_call_next.sql) makes the same moves
in SQL (waiting -> called, and closing the counter's current ticket: called -> done as a
no-show, serving -> done with a finish outcome), and the nightly close moves what the day
left open in bulk. tests/test_queue_sql.py holds the function's moves to this table.
"""

from queueing.models import Ticket
from sso.core.lifecycle import Lifecycle

Status, Outcome = Ticket.Status, Ticket.Outcome

TICKET_LIFECYCLE = Lifecycle(
    Ticket,
    moves={
        Status.WAITING: {Status.CALLED, Status.DONE},  # called; cancelled
        Status.CALLED: {Status.SERVING, Status.DONE},  # the customer came; no-show, transferred
        Status.SERVING: {Status.DONE},  # finished, transferred
    },
)

# How a ticket may end, by the status it ends from.
CLOSE_OUTCOMES = {
    Status.WAITING: (Outcome.CANCELLED,),
    Status.CALLED: (Outcome.NO_SHOW, Outcome.TRANSFERRED),
    Status.SERVING: (Outcome.COMPLETED, Outcome.DOCUMENTS_MISSING, Outcome.REFERRED, Outcome.TRANSFERRED),
}

# The service's end, chosen by the officer ("finish"): every outcome of a ticket being served
# but a transfer, which has its own action.
FINISH_OUTCOMES = tuple(outcome for outcome in CLOSE_OUTCOMES[Status.SERVING] if outcome != Outcome.TRANSFERRED)

# What the nightly close makes of a past day's open tickets (queue_day_close).
DAY_END_OUTCOMES = {
    Status.WAITING: Outcome.CANCELLED,
    Status.CALLED: Outcome.NO_SHOW,
    Status.SERVING: Outcome.COMPLETED,
}


def ticket_close_check(ticket: Ticket, outcome: str) -> None:
    """Refuse `outcome` for a ticket in its current status (a programming error: the
    services offer only the outcomes of the status they found)."""
    if outcome not in CLOSE_OUTCOMES.get(ticket.status, ()):
        raise ValueError(f"ticket {ticket.pk}: a {ticket.status} ticket cannot end as {outcome}")
