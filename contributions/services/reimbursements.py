"""Reimbursements of overpayments: the back office approves or rejects each request, puts
the approved ones into a payment batch and records the batch paid.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from contributions.lifecycles import REIMBURSEMENT
from contributions.models import (
    Reimbursement,
    ReimbursementBatch,
)
from sso.core.formats import lazy_format
from sso.core.records import refuse, stamp

ZERO = Decimal("0.00")


# Reimbursements -------------------------------------------------------------------------


def _reimbursement_locked(reimbursement: Reimbursement) -> Reimbursement:
    reimbursement = Reimbursement.objects.select_for_update().get(pk=reimbursement.pk)
    if reimbursement.status != Reimbursement.Status.REQUESTED:
        refuse(
            "status",
            lazy_format(_("This reimbursement is already %(status)s."), {"status": reimbursement.get_status_display()}),
            "already_decided",
        )
    return reimbursement


@transaction.atomic
def reimbursement_approve(*, reimbursement: Reimbursement, officer, note: str = "") -> Reimbursement:
    """Approve a requested reimbursement: it can go into the next payment batch."""
    reimbursement = _reimbursement_locked(reimbursement)
    note = (note or "").strip()
    return REIMBURSEMENT.move(reimbursement, Reimbursement.Status.APPROVED, officer=officer, reason=note)


@transaction.atomic
def reimbursement_reject(*, reimbursement: Reimbursement, officer, reason: str) -> Reimbursement:
    """Reject a requested reimbursement; the reason is kept in its audit history."""
    reason = (reason or "").strip()
    if not reason:
        refuse("reason", _("Give the reason for the rejection."), "required")
    reimbursement = _reimbursement_locked(reimbursement)
    return REIMBURSEMENT.move(reimbursement, Reimbursement.Status.REJECTED, officer=officer, reason=reason)


@transaction.atomic
def reimbursement_batch_create(*, office, officer, reimbursements=None) -> ReimbursementBatch:
    """Put the office's approved reimbursements that are in no batch yet (or those of them
    given) into one payment batch with its total."""
    queryset = Reimbursement.objects.select_for_update().filter(
        office=office, status=Reimbursement.Status.APPROVED, batch__isnull=True
    )
    if reimbursements is not None:
        queryset = queryset.filter(pk__in=[getattr(item, "pk", item) for item in reimbursements])
    items = list(queryset.order_by("pk"))
    if not items:
        refuse("reimbursements", _("No approved reimbursement is waiting for a batch."), "empty")
    batch = stamp(
        ReimbursementBatch(office=office, created_by=officer, total=sum((item.amount for item in items), ZERO)),
        officer,
    )
    batch.save()
    for item in items:
        item.batch = batch
    bulk_update_with_history(
        items,
        Reimbursement,
        ["batch"],
        default_user=officer,
        custom_historical_attrs={"history_office_id": getattr(officer, "office_id", None)},
    )
    return batch


@transaction.atomic
def reimbursement_batch_pay(*, batch: ReimbursementBatch, officer, paid_on: datetime.date | None = None):
    """Record that a batch was paid out: the batch's date and each reimbursement paid."""
    paid_on = paid_on or timezone.localdate()
    batch = ReimbursementBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.paid_on is not None:
        refuse("paid_on", _("This batch is already paid."), "already_paid")
    if paid_on > timezone.localdate():
        refuse("paid_on", _("The payment date cannot be in the future."), "future")
    if paid_on < timezone.localdate(batch.created_at):
        refuse("paid_on", _("The payment date cannot be before the batch was made."), "before_batch")
    batch.paid_on = paid_on
    stamp(batch, officer).save(update_fields=["paid_on"])
    paid = Reimbursement.Status.PAID
    items = list(batch.reimbursements.select_for_update().filter(status__in=REIMBURSEMENT.sources(paid)))
    for item in items:
        item.status = paid
    bulk_update_with_history(
        items,
        Reimbursement,
        ["status"],
        default_user=officer,
        custom_historical_attrs={"history_office_id": getattr(officer, "office_id", None)},
    )
    return batch
