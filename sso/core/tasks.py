"""Beat-driven housekeeping. Tasks stay thin: the work is in services."""

import datetime

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

HEARTBEAT_KEY = "core:heartbeat"


@shared_task(name="sso.core.tasks.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Run by Celery beat every minute; /healthz reports when a worker last ran it."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now


@shared_task(name="sso.core.tasks.evidence_reports_monthly", acks_late=True, reject_on_worker_lost=True)
def evidence_reports_monthly() -> int:
    """Run by the beat on the 1st: last month's evidence report for every office and the
    national edition, each kept once (a re-run, or a retry after a lost worker, adds nothing)."""
    from sso.core.reporting.evidence import evidence_monthly_run

    return evidence_monthly_run()


# Back-office verification ----------------------------------------------------------------
#
# A record's cross-check (a statement's, a claim's) is a task sent when the record commits.
# The message is acknowledged after the work, so a worker that dies mid-way loses nothing:
# the broker hands it to another worker; errors retry with back-off. The work is idempotent
# (findings are made once), so a second run changes nothing.
VERIFY_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (Exception,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}

# A record still waiting for its cross-check this long after it was written lost its task
# (Redis restarted, retries used up): the beat's safety net enqueues it again. Well above the
# seconds a verification takes, so that it never races the task sent on commit.
VERIFY_PENDING_AFTER = datetime.timedelta(minutes=15)
# At most this many records are enqueued per run; the next run takes the rest.
VERIFY_PENDING_BATCH = 2000


def verification_enqueue_lost(queryset, task, *, batch: int = VERIFY_PENDING_BATCH) -> int:
    """The safety net: send `task` again for the first `batch` records of `queryset` (those
    whose verification task was lost). Enqueuing twice is harmless: the task is idempotent."""
    ids = list(queryset.values_list("pk", flat=True)[:batch])
    for record_id in ids:
        task.delay(record_id)
    return len(ids)


# Late corrections of a past day's summary --------------------------------------------------
#
# The reports read summary rows rolled per day (the queue's, collection's, claim steps'). The
# beat keeps today's (and the day before's) current; a write that changes, after its day has
# passed, what a past day's rows were built from (a receipt voided, a payment dated back, a
# target announced for past days, the nightly close of forgotten tickets) has that day rolled
# again by a worker: the roll is idempotent (delete and insert), so a task run twice, or
# retried, gives the same rows.
ROLL_TASK_OPTIONS = {
    "autoretry_for": (Exception,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
    "ignore_result": True,
}


def days_reroll_on_commit(task, *, days, office_id: int | None = None) -> list[datetime.date]:
    """Once the current transaction commits (now if none is open), send `task(day, office_id)`
    (the day as YYYY-MM-DD; `office_id` None for every office) for each distinct day of `days`
    before today: today is the beat's. A write rolled back sends nothing; a task that cannot be
    sent after the commit is logged, not raised to the officer whose write is already done.
    Returns the days sent, in order."""
    today = timezone.localdate()
    past = sorted({day for day in days if day < today})
    if past:
        transaction.on_commit(lambda: [task.delay(day.isoformat(), office_id) for day in past], robust=True)
    return past
