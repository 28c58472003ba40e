"""Reimbursements of overpayments: the back office approves or rejects each request (with
the account to pay into: the one given, else the person's open bank account), puts the
approved ones into a payment batch of one bank and pays it through the bank's file and
confirmation, the same mechanism as benefits' payment orders (`sso.core.payouts`); returned
transfers are approved again to a corrected account or cancelled. A batch without a bank
(cheques at the office) is still marked paid by hand.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from contributions.lifecycles import REIMBURSEMENT, REIMBURSEMENT_BATCH
from contributions.models import (
    Reimbursement,
    ReimbursementBatch,
)
from registry import selectors as registry
from sso.core import payouts
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


PAYEE_FIELDS = ["bank", "account_number", "account_name"]


def _payee_set(reimbursement: Reimbursement, bank, account_number: str, account_name: str) -> None:
    """Where to pay: the account given (an employer's), else the person's open bank account,
    else none (a cheque)."""
    if bank is not None or (account_number or "").strip():
        number, name = payouts.account_checked(bank, account_number, account_name)
        reimbursement.bank, reimbursement.account_number, reimbursement.account_name = bank, number, name
        return
    account = registry.bank_account_open(reimbursement.person_id) if reimbursement.person_id else None
    if account is None:
        reimbursement.bank, reimbursement.account_number, reimbursement.account_name = None, "", ""
    else:
        reimbursement.bank_id = account.bank_id
        reimbursement.account_number, reimbursement.account_name = account.account_number, account.account_name


@transaction.atomic
def reimbursement_approve(
    *,
    reimbursement: Reimbursement,
    officer,
    note: str = "",
    bank=None,
    account_number: str = "",
    account_name: str = "",
) -> Reimbursement:
    """Approve a requested reimbursement with the account to pay into: it can go into the
    next payment batch (of its bank, or without a bank when it has none)."""
    reimbursement = _reimbursement_locked(reimbursement)
    _payee_set(reimbursement, bank, account_number, account_name)
    note = (note or "").strip()
    return REIMBURSEMENT.move(
        reimbursement, Reimbursement.Status.APPROVED, officer=officer, reason=note, update_fields=PAYEE_FIELDS
    )


@transaction.atomic
def reimbursement_reject(*, reimbursement: Reimbursement, officer, reason: str) -> Reimbursement:
    """Reject a requested reimbursement; the reason is kept in its audit history."""
    reason = (reason or "").strip()
    if not reason:
        refuse("reason", _("Give the reason for the rejection."), "required")
    reimbursement = _reimbursement_locked(reimbursement)
    return REIMBURSEMENT.move(reimbursement, Reimbursement.Status.REJECTED, officer=officer, reason=reason)


@transaction.atomic
def reimbursement_batch_create(
    *, office, officer, reimbursements=None, bank=None, pay_on: datetime.date | None = None
) -> ReimbursementBatch:
    """Put the office's approved reimbursements that are in no batch yet (or those of them
    given) into one payment batch with its total. With a `bank`: the transfers to that bank,
    moved to "with the bank", paid on `pay_on` through the bank's file; without: all of them,
    paid by cheque and marked paid by hand."""
    if office is None:
        refuse("office", _("Only staff of an office make its payment batches."), "no_office")
    queryset = Reimbursement.objects.select_for_update().filter(
        office=office, status=Reimbursement.Status.APPROVED, batch__isnull=True
    )
    if bank is not None:
        queryset = queryset.filter(bank=bank)
        pay_on = pay_on or timezone.localdate()
        if pay_on < timezone.localdate():
            refuse("pay_on", _("The pay date cannot be in the past."), "past")
    if reimbursements is not None:
        queryset = queryset.filter(pk__in=[getattr(item, "pk", item) for item in reimbursements])
    items = list(queryset.order_by("pk"))
    if not items:
        if bank is not None:
            refuse("bank", _("No approved reimbursement to this bank is waiting for a batch."), "empty")
        refuse("reimbursements", _("No approved reimbursement is waiting for a batch."), "empty")
    batch = stamp(
        ReimbursementBatch(
            office=office,
            created_by=officer,
            total=sum((item.amount for item in items), ZERO),
            bank=bank,
            pay_on=pay_on if bank is not None else None,
        ),
        officer,
    )
    batch.save()
    fields = ["batch"]
    for item in items:
        item.batch = batch
        if bank is not None:
            REIMBURSEMENT.check(item, Reimbursement.Status.IN_BATCH)
            item.status = Reimbursement.Status.IN_BATCH
    if bank is not None:
        fields.append("status")
    bulk_update_with_history(
        items,
        Reimbursement,
        fields,
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
    if batch.bank_id is not None:
        refuse("paid_on", _("A bank batch is paid by the bank's confirmation, not by hand."), "bank_batch")
    if paid_on > timezone.localdate():
        refuse("paid_on", _("The payment date cannot be in the future."), "future")
    if paid_on < timezone.localdate(batch.created_at):
        refuse("paid_on", _("The payment date cannot be before the batch was made."), "before_batch")
    batch.paid_on = paid_on
    REIMBURSEMENT_BATCH.move(
        stamp(batch, officer), ReimbursementBatch.Status.CONFIRMED, officer=officer, update_fields=["paid_on"]
    )
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


# Paying through the bank (sso.core.payouts, as benefits' orders) ---------------------------


PAYOUTS = payouts.Payouts(
    item=Reimbursement,
    batch=ReimbursementBatch,
    lifecycle=REIMBURSEMENT,
    batch_lifecycle=REIMBURSEMENT_BATCH,
    prefix="SSR",
)


def reimbursement_batch_file(batch: ReimbursementBatch) -> bytes:
    """The bank's file of a bank batch (the layout of benefits' batches, references `SSR<id>-<YYYYMM>`)."""
    return payouts.bank_file(PAYOUTS, batch)


def reimbursement_batch_send(*, batch: ReimbursementBatch, officer) -> ReimbursementBatch:
    if batch.bank_id is None:
        refuse("status", _("A batch without a bank is paid by hand: there is no file to send."), "no_bank")
    return payouts.batch_mark_sent(PAYOUTS, batch=batch, officer=officer)


def reimbursement_confirmation_import(*, batch: ReimbursementBatch, content: bytes, officer):
    """Apply the bank's confirmation of a batch (the benefits' layout: id, PAID or FAILED, bank
    reference, reason). Idempotent; a file with any bad line stores nothing."""
    return payouts.confirmation_import(PAYOUTS, batch=batch, content=content, officer=officer)


@transaction.atomic
def reimbursement_requeue(
    *, reimbursement: Reimbursement, officer, bank=None, account_number: str = "", account_name: str = ""
) -> Reimbursement:
    """A returned transfer approved again, to the account given (or the person's open bank
    account as it is now): it goes into the next batch of that bank."""
    reimbursement = Reimbursement.objects.select_for_update().get(pk=reimbursement.pk)
    if reimbursement.status != Reimbursement.Status.FAILED:
        refuse("status", _("Only a returned transfer can be queued again."), "not_failed")
    _payee_set(reimbursement, bank, account_number, account_name)
    if reimbursement.bank_id is None:
        refuse(
            "account_number",
            _("Give the account to pay into: the person has no open bank account."),
            "no_account",
        )
    reimbursement.batch = None
    reimbursement.bank_reference = None
    return REIMBURSEMENT.move(
        reimbursement,
        Reimbursement.Status.APPROVED,
        officer=officer,
        update_fields=[*PAYEE_FIELDS, "batch", "bank_reference"],
    )


@transaction.atomic
def reimbursement_cancel(*, reimbursement: Reimbursement, officer, reason: str) -> Reimbursement:
    """A returned transfer not paid again; the reason is kept on it and in its history."""
    reimbursement = Reimbursement.objects.select_for_update().get(pk=reimbursement.pk)
    if reimbursement.status != Reimbursement.Status.FAILED:
        refuse("status", _("Only a returned transfer can be cancelled."), "not_failed")
    reason = (reason or "").strip()
    if not reason:
        refuse("reason", _("Give the reason for cancelling."), "required")
    reimbursement.failure_reason = reason[:200]
    return REIMBURSEMENT.move(
        reimbursement, Reimbursement.Status.CANCELLED, officer=officer, reason=reason, update_fields=["failure_reason"]
    )
