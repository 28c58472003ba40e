"""Back-office work of contribution collection. Tasks stay thin: the work is in services."""

import datetime

from celery import shared_task
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from contributions import services
from contributions.models import Payment, Statement
from sso.core.tasks import VERIFY_PENDING_AFTER, VERIFY_TASK_OPTIONS, verification_enqueue_lost


@shared_task(name="contributions.tasks.statement_verify", **VERIFY_TASK_OPTIONS)
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
    return verification_enqueue_lost(statements_needing_verification(), statement_verify)


@shared_task(name="contributions.tasks.collection_summary_roll", autoretry_for=(Exception,), retry_backoff=True)
def collection_summary_roll(day: str | None = None, office_id: int | None = None) -> int:
    """Every few minutes (beat): roll up today's collection, and yesterday's (a payment
    posted just before midnight); with `day` (YYYY-MM-DD), that day only, of one office if
    `office_id` is given (a late correction: `services.collection_day_changed`).
    Safe to re-run: a roll replaces the day's rows."""
    if day:
        return services.collection_summary_roll(day=datetime.date.fromisoformat(day), office_id=office_id)
    today = timezone.localdate()
    return services.collection_summary_roll(day=today - datetime.timedelta(days=1)) + services.collection_summary_roll(
        day=today
    )
