"""Receipts: the gap-free number of the office's series for the year, and the void."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions.lifecycles import STATEMENT
from contributions.models import (
    ContributionMonth,
    Payment,
    Receipt,
    ReceiptSeries,
    Statement,
)
from contributions.services.summaries import collection_day_changed
from sso.core.audit import audited_save
from sso.core.formats import BE_OFFSET
from sso.core.numbering import number_next
from sso.core.records import refuse, stamp
from sso.core.signals import EMPLOYER, INSURED, RECEIPT_ISSUED, Customer, case_event_send

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
    """Void a receipt: the number stays in the series, marked void with who and why; the
    payment is reversed and its months no longer count."""
    receipt = Receipt.objects.select_for_update().select_related("payment").get(pk=receipt.pk)
    if receipt.voided_at is not None:
        refuse("reason", _("This receipt is already void."), "already_void")
    if not reason.strip():
        refuse("reason", _("Give the reason for the void."), "required")
    receipt.voided_at = timezone.now()
    receipt.voided_by = officer
    receipt.void_reason = reason.strip()
    stamp(receipt, officer).save(update_fields=["voided_at", "voided_by", "void_reason"])
    payment = receipt.payment
    payment.status = Payment.Status.VOID
    stamp(payment, officer).save(update_fields=["status"])
    ContributionMonth.objects.filter(payment=payment).delete()
    collection_day_changed(day=payment.paid_on, office_id=payment.office_id)
    if payment.statement_id and not payment.statement.payments.filter(status=Payment.Status.POSTED).exists():
        statement = payment.statement
        STATEMENT.move(statement, Statement.Status.ACCEPTED, officer=officer)
    return receipt
