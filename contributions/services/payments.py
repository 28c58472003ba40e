"""Payments of statements: the amount due (with the late surcharge), the payment, its
receipt and each person's month; a second payment from a bank becomes a reimbursement request.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions import rules
from contributions.lifecycles import STATEMENT
from contributions.models import (
    ContributionMonth,
    Payment,
    Reimbursement,
    Statement,
    StatementLine,
)
from contributions.services.common import baht_plain, local_today, one_or_none
from contributions.services.receipts import receipt_issue
from registry.selectors import Section
from sso.core.audit import audited_save
from sso.core.formats import date_lazy, lazy_format
from sso.core.records import refuse, stamp

# Payments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmountDue:
    contributions: Decimal
    surcharge: rules.Surcharge

    @property
    def total(self) -> Decimal:
        return self.contributions + self.surcharge.amount


def statement_amount_due(statement: Statement, paid_on: datetime.date | None = None) -> AmountDue:
    """What the employer pays for a statement on a day: both shares and the late surcharge."""
    paid_on = paid_on or local_today()
    return AmountDue(statement.total, rules.surcharge_compute(statement.period, statement.total, paid_on))


def payment_by_key(key: str | None) -> Payment | None:
    return one_or_none(Payment.objects.filter(idempotency_key=key)) if key else None


def amount_check(amount: Decimal, due: Decimal):
    if amount != due:
        refuse(
            "amount",
            lazy_format(
                _("The amount must be %(due)s THB (contributions and any surcharge); %(amount)s THB was given."),
                {"due": baht_plain(due), "amount": baht_plain(amount)},
            ),
            "wrong_amount",
        )


CONFIRM_PAYMENT_DATE = "contributions.confirm_payment_date"


def paid_on_check(
    *, officer, channel: str, paid_on: datetime.date, reason: str, confirmed_by, office_id, filed_on=None
) -> None:
    """The payment date: never in the future. At the counter the money is taken now, so any
    other day (a payment taken while the system was down, say) needs its reason and a
    supervisor of the office confirming it on the officer's screen (four eyes), and is never
    before the statement was filed (`filed_on`): the surcharge follows the real date. A bank's,
    a post office's or the internet's date is theirs (their notice of an earlier day)."""
    today = local_today()
    if paid_on > today:
        refuse("paid_on", _("The payment date cannot be in the future."), "future")
    if channel != Payment.Channel.COUNTER or paid_on == today:
        return
    if filed_on is not None and paid_on < filed_on:
        refuse(
            "paid_on",
            lazy_format(
                _("The payment date cannot be before the statement was filed (%(day)s)."),
                {"day": date_lazy(filed_on)},
            ),
            "before_filing",
        )
    if not (reason or "").strip():
        refuse("date_reason", _("A counter payment dated other than today needs the reason."), "required")
    if (
        confirmed_by is None
        or confirmed_by.pk == officer.pk
        or not confirmed_by.is_active
        or not confirmed_by.has_perm(CONFIRM_PAYMENT_DATE)
        or not (confirmed_by.office_id == office_id or confirmed_by.has_perm("core.view_all_offices"))
    ):
        refuse(
            "date_confirmed_by",
            _("A counter payment dated other than today needs a supervisor of the office to confirm it."),
            "four_eyes",
        )


def method_check(method, reference):
    if method not in Payment.Method.values:
        refuse("method", _("Choose how the payment was made."), "required")
    if method in (Payment.Method.CHEQUE, Payment.Method.TRANSFER) and not reference.strip():
        refuse("reference", _("Give the cheque number or the transfer reference."), "required")


def statement_pay(
    *,
    officer,
    statement: Statement,
    amount: Decimal,
    method: str,
    reference: str = "",
    channel: str = Payment.Channel.COUNTER,
    paid_on: datetime.date | None = None,
    date_reason: str = "",
    date_confirmed_by=None,
    idempotency_key: str | None = None,
) -> Payment:
    """Post the payment of a statement, issue its receipt and record each person's month.
    A counter payment dated other than today needs `date_reason` and `date_confirmed_by`
    (see `paid_on_check`).

    At the counter a statement already paid is refused. From a bank, a post office or the
    internet the money has already moved: a second payment is posted, and a reimbursement
    request is made for the back office. The same notification twice (same idempotency key)
    posts once and answers the first payment."""
    if (found := payment_by_key(idempotency_key)) is not None:
        return found
    try:
        with transaction.atomic():
            payment = _statement_pay(
                officer=officer,
                statement=statement,
                amount=amount,
                method=method,
                reference=reference,
                channel=channel,
                paid_on=paid_on or local_today(),
                date_reason=date_reason,
                date_confirmed_by=date_confirmed_by,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # The same notification, posted a moment ago by another worker.
        if (found := payment_by_key(idempotency_key)) is not None:
            return found
        raise
    statement.status = payment.statement.status  # the caller's copy, as now stored
    return payment


def _statement_pay(
    *, officer, statement, amount, method, reference, channel, paid_on, date_reason, date_confirmed_by, idempotency_key
) -> Payment:
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    method_check(method, reference)
    if statement.status == Statement.Status.VOID:
        refuse("statement", _("This statement is void."), "void")
    paid_on_check(
        officer=officer,
        channel=channel,
        paid_on=paid_on,
        reason=date_reason,
        confirmed_by=date_confirmed_by,
        office_id=statement.office_id,
        filed_on=timezone.localdate(statement.received_at),
    )
    dated = channel == Payment.Channel.COUNTER and paid_on != local_today()
    already = statement.status == Statement.Status.PAID
    if already and channel == Payment.Channel.COUNTER:
        refuse("statement", _("This statement is already paid."), "already_paid")
    due = statement_amount_due(statement, paid_on)
    amount_check(amount, due.total)
    payment = stamp(
        Payment(
            office_id=statement.office_id,
            kind=Payment.Kind.STATEMENT,
            statement=statement,
            period_from=statement.period,
            period_to=statement.period,
            method=method,
            channel=channel,
            reference=reference.strip(),
            contribution_amount=due.contributions,
            surcharge_amount=due.surcharge.amount,
            surcharge_months=due.surcharge.months,
            government_amount=statement.government_total,
            amount=amount,
            paid_on=paid_on,
            date_reason=date_reason.strip() if dated else "",
            date_confirmed_by=date_confirmed_by if dated else None,
            posted_by=officer,
            idempotency_key=idempotency_key or None,
        ),
        officer,
    )
    audited_save(payment, officer)
    if already:
        stamp(
            Reimbursement(
                office_id=statement.office_id,
                kind=Reimbursement.Kind.DUPLICATE_PAYMENT,
                employer_id=statement.employer_id,
                payment=payment,
                period=statement.period,
                amount=amount,
            ),
            officer,
        ).save()
        receipt_issue(payment, officer)
        return payment
    STATEMENT.check(statement, Statement.Status.PAID)  # saved on the peak path's own audited write
    statement.status = Statement.Status.PAID
    audited_save(statement, officer, update_fields=["status"])
    # Each person's month, written in one statement from the lines.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ContributionMonth._meta.db_table}"
            " (person_id, period, section, employer_id, wage, amount, payment_id)"
            " SELECT person_id, %s, %s, %s, contribution_wage, employee_amount, %s"
            f" FROM {StatementLine._meta.db_table} WHERE statement_id = %s",
            [statement.period, Section.S33, statement.employer_id, payment.pk, statement.pk],
        )
    receipt_issue(payment, officer)
    transaction.on_commit(lambda: _overpayment_enqueue(statement.pk))
    return payment


def _overpayment_enqueue(statement_id: int):
    from contributions.tasks import statement_verify

    statement_verify.delay(statement_id)
