"""The employer's account at the counter (issue 15, part 2): several months paid in one visit,
and the arrears follow-up (a notice letter issued, then its sending recorded).

Several months in one visit are paid as one payment and one receipt per month (per
statement), as the SSO does: each month is its own SSO 1-10 with its own due date and
surcharge, its own receipt, and a void undoes exactly that month (docs/contributions.md).
They are taken in one transaction: a refusal of any month stores none of them.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions import account as accounts
from contributions.models import ArrearsNotice, Payment, Source
from contributions.services.common import ZERO, local_today
from contributions.services.payments import amount_check, method_check, payment_by_key, statement_amount_due
from contributions.services.payments import statement_pay as _statement_pay
from contributions.services.statements import LineInput, StatementRefused, statement_submit
from registry import selectors as registry
from sso.core.audit import audited_save
from sso.core.formats import date_lazy, lazy_format, month_numeric_lazy
from sso.core.months import month_add
from sso.core.records import refuse, stamp


def _lines_on_record(employer, branch, period) -> list[LineInput]:
    """The branch's employees in the month with their wage on record, one line each, as the
    counter lists them; a month with an employee without a wage is keyed on the grid."""
    employments = registry.employments_in_period(
        employer=employer, branch=branch, period_first=period, period_after=month_add(period, 1)
    )
    lines, seen = [], set()
    for employment in employments:
        person = employment.person
        if person.national_id in seen:
            continue
        seen.add(person.national_id)
        if employment.monthly_wage is None:
            refuse(
                "months",
                lazy_format(
                    _("%(month)s: %(name)s has no wage on record; file this month on the grid."),
                    {"month": month_numeric_lazy(period), "name": person.full_name},
                ),
                "no_wage",
            )
        lines.append(LineInput(line=len(lines) + 1, national_id=person.national_id, wage=employment.monthly_wage))
    return lines


@transaction.atomic
def statement_months_pay(
    *,
    officer,
    employer,
    months: list[str],
    amount: Decimal,
    method: str,
    reference: str = "",
    idempotency_key: str | None = None,
) -> list[Payment]:
    """Pay several months due of an employer at the counter, today, in one visit: each month
    filed from the wages on record when it was not filed, then paid, with its own receipt.
    `months` are the account's keys ("<branch id>:<YYYY-MM>"); `amount` is the money received,
    which must be the sum of every month's contributions and surcharge today. Returns the
    payments, oldest month first. Nothing is stored when anything is refused."""
    if idempotency_key and (found := payment_by_key(f"{idempotency_key}:1")) is not None:
        keys = [f"{idempotency_key}:{n}" for n in range(1, len(months) + 1)]
        return list(Payment.objects.filter(idempotency_key__in=keys).order_by("period_from", "pk")) or [found]
    if not months:
        refuse("months", _("Tick at least one month to pay."), "required")
    if len(set(months)) != len(months):
        refuse("months", _("A month is ticked twice."), "duplicate")
    method_check(method, reference)
    if amount is None:
        refuse("amount", _("Enter the amount received."), "required")
    today = local_today()
    account = accounts.employer_account(employer, today=today)
    due = {month.key: month for month in account.due}
    unknown = [key for key in months if key not in due]
    if unknown:
        refuse(
            "months",
            _("A month ticked is not due on this employer's account (paid meanwhile, or not this employer's)."),
            "not_due",
        )
    branches = {branch.pk: branch for branch in employer.branches.all()}
    chosen = sorted((due[key] for key in months), key=lambda m: (m.period, m.branch_number))
    statements = []
    for month in chosen:
        statement = month.open_statement
        if statement is None:
            try:
                statement = statement_submit(
                    officer=officer,
                    employer=employer,
                    branch=branches[month.branch_id],
                    period=month.period,
                    lines=_lines_on_record(employer, branches[month.branch_id], month.period),
                    source=Source.COUNTER,
                    verify=False,
                )
            except StatementRefused as exc:
                first = exc.line_errors[0] if exc.line_errors else None
                refuse(
                    "months",
                    lazy_format(
                        _("%(month)s cannot be filed from the wages on record (%(reason)s): file it on the grid."),
                        {"month": month_numeric_lazy(month.period), "reason": first.message if first else "—"},
                    ),
                    "refused",
                )
        statements.append(statement)
    dues = [statement_amount_due(statement, today) for statement in statements]
    amount_check(amount, sum((d.total for d in dues), ZERO))
    payments = []
    for number, (statement, owed) in enumerate(zip(statements, dues, strict=True), start=1):
        payments.append(
            _statement_pay(
                officer=officer,
                statement=statement,
                amount=owed.total,
                method=method,
                reference=reference,
                idempotency_key=f"{idempotency_key}:{number}" if idempotency_key else None,
            )
        )
    return payments


# Arrears follow-up ---------------------------------------------------------------------


@transaction.atomic
def arrears_notice_issue(*, officer, employer, today: datetime.date | None = None) -> ArrearsNotice:
    """A notice letter of the employer's months due and what they come to today (surcharge to
    date), kept as printed. Refused when nothing is due."""
    today = today or local_today()
    account = accounts.employer_account(employer, today=today)
    due = account.due
    if not due:
        refuse("employer", _("Nothing is due on this employer's account: no notice to send."), "nothing_due")
    notice = stamp(
        ArrearsNotice(
            office_id=employer.responsible_office_id,
            employer=employer,
            as_of=today,
            period_first=due[0].period,
            period_last=due[-1].period,
            months=[
                {
                    "branch": month.branch_number,
                    "period": month.period.isoformat(),
                    "status": month.status,
                    "contributions": str(month.contributions),
                    "surcharge": str(month.surcharge),
                    "estimated": month.estimated,
                }
                for month in due
            ],
            contributions=account.contributions_due,
            surcharge=account.surcharge_due,
            issued_at=timezone.now(),
            issued_by=officer,
        ),
        officer,
    )
    audited_save(notice, officer)
    return notice


@transaction.atomic
def arrears_notice_send(
    *, officer, notice: ArrearsNotice, sent_on: datetime.date | None, channel: str, reference: str = ""
) -> ArrearsNotice:
    """Record that the notice was sent: the day, how, and the registered-post number (or the
    e-mail's reference). Once only; never in the future nor before it was issued."""
    notice = ArrearsNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.sent_on is not None:
        refuse(
            "sent_on",
            lazy_format(_("This notice was already recorded as sent on %(day)s."), {"day": date_lazy(notice.sent_on)}),
            "already_sent",
        )
    if sent_on is None:
        refuse("sent_on", _("Enter the day the notice was sent."), "required")
    if sent_on > local_today():
        refuse("sent_on", _("The day sent cannot be in the future."), "future")
    issued_on = timezone.localdate(notice.issued_at)
    if sent_on < issued_on:
        refuse(
            "sent_on",
            lazy_format(
                _("The notice was issued on %(day)s: it cannot be sent before."), {"day": date_lazy(issued_on)}
            ),
            "before_issue",
        )
    if channel not in ArrearsNotice.Channel.values:
        refuse("sent_via", _("Choose how the notice was sent."), "required")
    reference = (reference or "").strip()
    if channel == ArrearsNotice.Channel.REGISTERED_POST and not reference:
        refuse("sent_reference", _("Give the registered post number."), "required")
    notice.sent_on, notice.sent_via, notice.sent_reference, notice.sent_by = sent_on, channel, reference[:60], officer
    stamp(notice, officer, reason="sent")
    audited_save(notice, officer, update_fields=["sent_on", "sent_via", "sent_reference", "sent_by"])
    return notice
