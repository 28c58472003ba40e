"""Receipts: the gap-free number of the office's series for the year, and the void."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions.lifecycles import REIMBURSEMENT, STATEMENT
from contributions.models import (
    ContributionMonth,
    Payment,
    Receipt,
    ReceiptSeries,
    Reimbursement,
    Statement,
)
from contributions.services.summaries import collection_day_changed
from sso.core.audit import audited_save
from sso.core.formats import BE_OFFSET, lazy_format
from sso.core.numbering import number_next
from sso.core.records import refuse, stamp
from sso.core.signals import EMPLOYER, INSURED, RECEIPT_ISSUED, Customer, case_event_send

R = Reimbursement.Status

# Receipts -------------------------------------------------------------------------------


def receipt_issue(payment: Payment, officer) -> Receipt:
    """The payment's receipt, with the next number of the office's series for the year (B.E.).

    The series row stays locked until the payment's transaction ends, so the numbers have
    no gaps (a rolled-back payment gives its number back). It is taken last, just before
    the commit, so that an office's payments wait for each other as briefly as they can."""
    # A payment dated back (a bank's notice of an earlier day) counts on that day's collection.
    collection_day_changed(day=payment.paid_on, office_id=payment.office_id)
    customer = payment_customer(payment)  # before the series is locked
    year = timezone.localdate(payment.posted_at).year + BE_OFFSET
    number = number_next(ReceiptSeries, office_id=payment.office_id, year=year)
    receipt = Receipt(office_id=payment.office_id, year=year, number=number, payment=payment, issued_by=officer)
    audited_save(receipt, officer)
    case_event_send(kind=RECEIPT_ISSUED, officer=officer, record=receipt, at=receipt.issued_at, customer=customer)
    return receipt


def payment_customer(payment: Payment) -> Customer:
    """Whom a payment is for, as the queue's tickets name them: the statement's employer, or
    the insured person paying their own (Section 39 or 40) contributions."""
    if payment.statement_id:
        statement = payment.statement
        employer = statement.employer
        return Customer(kind=EMPLOYER, ref=employer.account_number, records=(employer, statement))
    person = payment.person
    return Customer(kind=INSURED, ref=person.national_id, records=(person,))


@transaction.atomic
def receipt_void(*, receipt: Receipt, officer, reason: str) -> Receipt:
    """Void a receipt: the number stays in the series, marked void with who and why, and
    exactly what its payment did is undone, as if it had never been posted.

    A statement paid twice (a bank's payment after the counter's): voiding the payment that
    paid it hands the statement to the other payment still held (its months move to it and
    its reimbursement request, made only because the statement was already paid, is
    withdrawn); with none held, the statement is unpaid again and its months go. Voiding the
    second payment withdraws its own reimbursement request and touches nothing else. A
    payment whose reimbursement is in a batch or already paid out cannot be voided: the
    money has left, or is about to."""
    receipt = Receipt.objects.select_for_update().select_related("payment").get(pk=receipt.pk)
    if receipt.voided_at is not None:
        refuse("reason", _("This receipt is already void."), "already_void")
    if not reason.strip():
        refuse("reason", _("Give the reason for the void."), "required")
    payment = receipt.payment
    statement = Statement.objects.select_for_update().get(pk=payment.statement_id) if payment.statement_id else None
    reimbursements = list(payment.reimbursements.select_for_update())
    if any(not _reimbursement_open(item) for item in reimbursements if item.status != R.REJECTED):
        refuse(
            "reason",
            _("This payment's reimbursement is in a payment batch or already paid out: it cannot be voided."),
            "reimbursed",
        )
    receipt.voided_at = timezone.now()
    receipt.voided_by = officer
    receipt.void_reason = reason.strip()
    stamp(receipt, officer).save(update_fields=["voided_at", "voided_by", "void_reason"])
    payment.status = Payment.Status.VOID
    stamp(payment, officer).save(update_fields=["status"])
    note = lazy_format(_("Receipt %(number)s voided: %(reason)s"), {"number": receipt.display_number, "reason": reason})
    for item in reimbursements:
        if item.status != R.REJECTED:
            REIMBURSEMENT.move(item, R.WITHDRAWN, officer=officer, reason=str(note))
    months = ContributionMonth.objects.filter(payment=payment)
    if statement is not None and months.exists():
        heir = _statement_heir(statement, payment)
        if heir is None:
            months.delete()
            STATEMENT.move(statement, Statement.Status.ACCEPTED, officer=officer, reason=str(note))
        else:
            # The statement was paid twice: the other payment pays it now, as it would have
            # had the voided one never been posted.
            months.update(payment=heir)
            for item in heir.reimbursements.select_for_update().filter(kind=Reimbursement.Kind.DUPLICATE_PAYMENT):
                if _reimbursement_open(item):
                    REIMBURSEMENT.move(item, R.WITHDRAWN, officer=officer, reason=str(note))
    else:
        months.delete()
    collection_day_changed(day=payment.paid_on, office_id=payment.office_id)
    return receipt


def _reimbursement_open(item: Reimbursement) -> bool:
    """A reimbursement not yet on its way out: requested, or approved and in no batch."""
    return item.status == R.REQUESTED or (item.status == R.APPROVED and item.batch_id is None)


def _statement_heir(statement: Statement, voided: Payment) -> Payment | None:
    """The statement's earliest other payment still held (posted, and its money not on its
    way back to the employer), which pays the statement once `voided` is void."""
    for other in (
        statement.payments.select_for_update()
        .filter(status=Payment.Status.POSTED)
        .exclude(pk=voided.pk)
        .order_by("paid_on", "posted_at", "pk")
    ):
        if all(_reimbursement_open(item) or item.status == R.REJECTED for item in other.reimbursements.all()):
            return other
    return None
