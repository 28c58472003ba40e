"""Back-office work of contribution collection. Tasks stay thin: the work is in services."""

import datetime

from celery import shared_task
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from contributions import services
from contributions.models import Payment, Statement

# A statement still waiting for its cross-check this long after it was accepted (or paid)
# lost its task (Redis restarted, retries used up): the safety net enqueues it again. Well
# above the few seconds a verification takes, so that it never races the task sent on commit.
VERIFY_PENDING_AFTER = datetime.timedelta(minutes=15)
# At most this many statements are enqueued per run; the next run takes the rest.
VERIFY_PENDING_BATCH = 2000


@shared_task(
    name="contributions.tasks.statement_verify",
    # The message is acknowledged after the work: a worker that dies mid-way loses no
    # statement, the broker hands the message to another worker.
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def statement_verify(statement_id: int) -> str:
    """Cross-check an accepted (or paid) statement. Safe to re-run: findings are made once."""
    return services.statement_verify(statement_id=statement_id)


def statements_needing_verification(*, now=None):
    """Statements the cross-check has not seen in its current state: still pending, or paid
    after their last verification (the overpayment checks run once the money is in)."""
    cutoff = (now or timezone.now()) - VERIFY_PENDING_AFTER
    paid_since = Payment.objects.filter(
        statement=OuterRef("pk"), status=Payment.Status.POSTED, posted_at__gt=F("statement__verified_at")
    )
    return (
        Statement.objects.exclude(status=Statement.Status.VOID)
        .filter(
            Q(verification=Statement.Verification.PENDING, received_at__lt=cutoff)
            | Q(Exists(paid_since.filter(posted_at__lt=cutoff)))
        )
        .order_by("received_at")
    )


@shared_task(name="contributions.tasks.statements_verify_pending", autoretry_for=(Exception,), retry_backoff=True)
def statements_verify_pending() -> int:
    """Every few minutes (beat): enqueue the statements whose verification task was lost.
    Enqueuing twice is harmless: the verification is idempotent."""
    ids = list(statements_needing_verification().values_list("pk", flat=True)[:VERIFY_PENDING_BATCH])
    for statement_id in ids:
        statement_verify.delay(statement_id)
    return len(ids)
