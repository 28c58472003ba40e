"""Back-office work of benefit claims. Tasks stay thin: the work is in `benefits.backoffice`."""

import datetime

from celery import shared_task
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from benefits import backoffice
from benefits.models import Claim, PaymentOrder
from sso.core.tasks import VERIFY_PENDING_AFTER, VERIFY_TASK_OPTIONS, verification_enqueue_lost


@shared_task(name="benefits.tasks.claim_verify", **VERIFY_TASK_OPTIONS)
def claim_verify(claim_id: int) -> str:
    """Cross-check a recorded claim. Safe to re-run: findings are made once."""
    return backoffice.claim_verify(claim_id=claim_id)


def claims_needing_verification(*, now=None):
    """Claims still pending a while after they were recorded, and verified claims with an
    order held a while (made held by a payment run racing the verification): the re-run
    releases it."""
    cutoff = (now or timezone.now()) - VERIFY_PENDING_AFTER
    held = PaymentOrder.objects.filter(claim=OuterRef("pk"), status=PaymentOrder.Status.HELD, created_at__lt=cutoff)
    return (
        Claim.objects.filter(
            Q(verification=Claim.Verification.PENDING, recorded_at__lt=cutoff)
            | Q(Exists(held), verification__in=(Claim.Verification.CLEAR, Claim.Verification.CLEARED))
        )
        .exclude(status=Claim.Status.WITHDRAWN)
        .order_by("recorded_at")
    )


@shared_task(name="benefits.tasks.claims_verify_pending", autoretry_for=(Exception,), retry_backoff=True)
def claims_verify_pending() -> int:
    """Every few minutes (beat): enqueue the claims whose verification task was lost.
    Enqueuing twice is harmless: the verification is idempotent."""
    return verification_enqueue_lost(claims_needing_verification(), claim_verify)


@shared_task(
    name="benefits.tasks.payments_monthly_run",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def payments_monthly_run(month: str | None = None) -> int:
    """Beat, on the 1st of each month: the month's orders of every recurring benefit. Safe to
    re-run or retry: a month of a claim is made once (`benefits.payments.monthly_run`)."""
    from benefits import payments

    day = datetime.date.fromisoformat(month) if month else timezone.localdate()
    return payments.monthly_run(month=day.replace(day=1))


@shared_task(name="benefits.tasks.claim_steps_roll", autoretry_for=(Exception,), retry_backoff=True)
def claim_steps_roll(day: str | None = None) -> int:
    """Every few minutes (beat): roll up the step durations of today and yesterday (a step
    just before midnight); with `day` (YYYY-MM-DD), that day only. Safe to re-run."""
    from benefits import summaries

    if day:
        return summaries.claim_steps_roll(day=datetime.date.fromisoformat(day))
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    return summaries.claim_steps_roll(day=yesterday) + summaries.claim_steps_roll(day=today)
