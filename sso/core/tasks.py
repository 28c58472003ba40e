"""Beat-driven housekeeping. Tasks stay thin: the work is in services."""

import datetime

from celery import shared_task
from django.core.cache import cache
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
