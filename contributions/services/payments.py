"""Payments of statements: the amount due (with the late surcharge), the payment, its
receipt and each person's month; a second payment from a bank becomes a reimbursement request.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
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
from sso.core.formats import lazy_format
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
    idempotency_key: str | None = None,
) -> Payment:
    """Post the payment of a statement, issue its receipt and record each person's month.

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
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # The same notification, posted a moment ago by another worker.
        if (found := payment_by_key(idempotency_key)) is not None:
            return found
        raise
    statement.status = payment.statement.status  # the caller's copy, as now stored
    return payment


def _statement_pay(*, officer, statement, amount, method, reference, channel, paid_on, idempotency_key) -> Payment:
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    method_check(method, reference)
    if statement.status == Statement.Status.VOID:
        refuse("statement", _("This statement is void."), "void")
    if paid_on > local_today():
        refuse("paid_on", _("The payment date cannot be in the future."), "future")
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
