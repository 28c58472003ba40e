"""The employer's account (issue 15, part 2): for each branch and wage month of the window,
whether the statement (SSO 1-10) was filed and paid, the amounts, the surcharge to date on
what is unpaid, the payments and receipts, the reimbursements (credits) and the arrears
notices; the months due, oldest first, which the counter opens on.

A month is due when the branch had employees on record in it and no paid statement, or a
statement filed and not paid. What a month not filed would cost is estimated as the arrears
list does (`contributions.arrears`): each employee's wage on record through
`rules.line_compute` (no wage on record: the floor). The surcharge is
`rules.surcharge_compute` on the day asked. Read in a fixed number of queries whatever the
employer's size: the employments are counted per branch, month and wage in SQL.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, F, Min, Sum
from django.utils import timezone

from contributions import rules
from contributions.models import ArrearsNotice, Payment, Reimbursement, Statement
from registry.selectors import sql_tables
from sso.core.months import month_add, month_first

ZERO = Decimal("0.00")
# How far back the account page and the counter look: a page's window, not a rule (older
# arrears are followed up by the legal department, outside the counter).
ACCOUNT_MONTHS = 24
PAYMENTS_SHOWN = 10
REIMBURSEMENTS_SHOWN = 20


class MonthStatus:
    PAID = "paid"
    UNPAID = "unpaid"  # filed, not paid
    UNFILED = "unfiled"  # employees on record, nothing filed
    NONE = "none"  # no employee, nothing filed: nothing due


@dataclass
class AccountMonth:
    """One branch's wage month on the employer's account."""

    branch_id: int
    branch_number: str
    branch_name: str
    period: datetime.date
    head_count: int = 0
    status: str = MonthStatus.NONE
    statements: list = field(default_factory=list)  # non-void statements, original first
    contributions: Decimal = ZERO  # the statements' total, or the estimate when not filed
    estimated: bool = False
    surcharge: Decimal = ZERO  # paid with it, or to date while it is due
    surcharge_months: int = 0
    due_on: datetime.date | None = None
    payments: list = field(default_factory=list)  # the posted payments of its statements

    @property
    def due(self) -> bool:
        return self.status in (MonthStatus.UNPAID, MonthStatus.UNFILED)

    @property
    def total(self) -> Decimal:
        return self.contributions + self.surcharge

    @property
    def key(self) -> str:
        """How a form names the month: "<branch id>:<YYYY-MM>"."""
        return f"{self.branch_id}:{self.period:%Y-%m}"

    @property
    def open_statement(self):
        return next((s for s in self.statements if s.status == Statement.Status.ACCEPTED), None)


@dataclass
class Account:
    employer: object
    today: datetime.date
    first: datetime.date
    last: datetime.date
    months: list[AccountMonth]  # newest first, branch by branch
    payments: list[Payment]
    reimbursements: list[Reimbursement]
    notices: list[ArrearsNotice]
    # Filed and unpaid before the window: never hidden, though the counter does not take them
    # (count, the oldest wage period, the contributions).
    older_unpaid: tuple[int, datetime.date | None, Decimal] = (0, None, ZERO)

    @property
    def due(self) -> list[AccountMonth]:
        """The months due, oldest first (head office first within a month)."""
        return sorted((m for m in self.months if m.due), key=lambda m: (m.period, m.branch_number))

    @property
    def oldest_due(self) -> AccountMonth | None:
        due = self.due
        return due[0] if due else None

    @property
    def contributions_due(self) -> Decimal:
        return sum((m.contributions for m in self.due), ZERO)

    @property
    def surcharge_due(self) -> Decimal:
        return sum((m.surcharge for m in self.due), ZERO)

    @property
    def total_due(self) -> Decimal:
        return self.contributions_due + self.surcharge_due

    @property
    def credits(self) -> Decimal:
        """Reimbursements owed to the employer and not yet paid out (requested or approved)."""
        waiting = (Reimbursement.Status.REQUESTED, Reimbursement.Status.APPROVED)
        return sum((r.amount for r in self.reimbursements if r.status in waiting), ZERO)

    @property
    def last_notice(self) -> ArrearsNotice | None:
        return self.notices[0] if self.notices else None

    @property
    def arrears_status(self) -> str:
        """ "clear", "due" (no notice since the oldest month due fell due), "notice_issued"
        (not sent yet) or "notice_sent"."""
        return arrears_status(self.oldest_due, self.last_notice)


def arrears_status(oldest_due: AccountMonth | None, notice: ArrearsNotice | None) -> str:
    if oldest_due is None:
        return "clear"
    if notice is None or notice.period_last < oldest_due.period:
        return "due"
    return "notice_sent" if notice.sent_on else "notice_issued"


_EMPLOYED_SQL = """
SELECT e.branch_id, m.period::date, e.monthly_wage, COUNT(DISTINCT e.person_id), GROUPING(e.monthly_wage)
FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') AS m(period)
JOIN {employment} e ON e.employer_id = %(employer)s
 AND e.started_on < m.period + interval '1 month' AND (e.ended_on IS NULL OR e.ended_on >= m.period)
GROUP BY GROUPING SETS ((e.branch_id, m.period, e.monthly_wage), (e.branch_id, m.period))
"""


def _employed(employer_id: int, first: datetime.date, last: datetime.date):
    """{(branch id, period): head count} and {(branch id, period): [(wage, persons)]}."""
    heads, wages = {}, defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            _EMPLOYED_SQL.format(employment=sql_tables().employment),
            {"first": first, "last": last, "employer": employer_id},
        )
        for branch_id, period, wage, count, total_row in cursor.fetchall():
            if total_row:
                heads[(branch_id, period)] = count
            else:
                wages[(branch_id, period)].append((wage, count))
    return heads, wages


def _estimate(wages, period, province_id) -> Decimal | None:
    try:
        rate = rules.rate_for(period, province_id)
    except ValidationError:
        return None
    total = ZERO
    for wage, count in wages:
        amounts = rules.line_compute(wage or ZERO, rate)
        total += (amounts.employee + amounts.employer) * count
    return total


def employer_account(employer, *, today: datetime.date | None = None, months: int = ACCOUNT_MONTHS) -> Account:
    """The employer's account over the last `months` wage months before this one, with its
    months due."""
    today = today or timezone.localdate()
    last = month_add(month_first(today), -1)
    first = month_add(last, -(months - 1))
    branches = {b.pk: b for b in employer.branches.all()}
    heads, wages = _employed(employer.pk, first, last) if first <= last else ({}, {})
    statements = defaultdict(list)
    for statement in (
        Statement.objects.filter(employer=employer, period__range=(first, last))
        .exclude(status=Statement.Status.VOID)
        .prefetch_related("payments__receipt__office")
        .order_by("period", "amends_id", "pk")
    ):
        statements[(statement.branch_id, statement.period)].append(statement)

    rows = []
    for branch in sorted(branches.values(), key=lambda b: b.number):
        period = last
        while period >= first:
            key = (branch.pk, period)
            month = AccountMonth(branch.pk, branch.number, branch.name, period, head_count=heads.get(key, 0))
            month.statements = statements.get(key, [])
            try:
                rule = rules.surcharge_rule_for(period)
                month.due_on = rules.due_date(period, rule)
            except ValidationError:
                rule = None
            if month.statements:
                open_total = sum((s.total for s in month.statements if s.status == Statement.Status.ACCEPTED), ZERO)
                month.contributions = sum((s.total for s in month.statements), ZERO)
                month.payments = [
                    p for s in month.statements for p in s.payments.all() if p.status == Payment.Status.POSTED
                ]
                if open_total:
                    month.status = MonthStatus.UNPAID
                    month.contributions = open_total
                else:
                    month.status = MonthStatus.PAID
                    month.surcharge = sum((p.surcharge_amount for p in month.payments), ZERO)
                    month.surcharge_months = max((p.surcharge_months for p in month.payments), default=0)
            elif month.head_count:
                month.status = MonthStatus.UNFILED
                month.estimated = True
                month.contributions = _estimate(wages.get(key, []), period, branch.province_id) or ZERO
            if month.due and rule is not None:
                surcharge = rules.surcharge_compute(period, month.contributions, today, rule)
                month.surcharge, month.surcharge_months = surcharge.amount, surcharge.months
            rows.append(month)
            period = month_add(period, -1)
    rows.sort(key=lambda m: (-m.period.toordinal(), m.branch_number))

    payments = list(
        Payment.objects.filter(statement__employer=employer)
        .select_related("receipt__office", "statement__branch")
        .order_by("-paid_on", "-pk")[:PAYMENTS_SHOWN]
    )
    reimbursements = list(
        Reimbursement.objects.filter(employer=employer).order_by("-created_at", "-pk")[:REIMBURSEMENTS_SHOWN]
    )
    notices = list(
        ArrearsNotice.objects.filter(employer=employer).select_related("issued_by", "sent_by").order_by("-pk")
    )
    older = Statement.objects.filter(employer=employer, period__lt=first, status=Statement.Status.ACCEPTED).aggregate(
        count=Count("pk"), oldest=Min("period"), total=Sum(F("employee_total") + F("employer_total"))
    )
    older_unpaid = (older["count"], older["oldest"], older["total"] or ZERO)
    return Account(employer, today, first, last, rows, payments, reimbursements, notices, older_unpaid)


def notices_latest(employer_ids) -> dict[int, ArrearsNotice]:
    """The latest arrears notice of each employer named (the arrears list's status column), in
    one query."""
    latest = {}
    for notice in ArrearsNotice.objects.filter(employer_id__in=list(employer_ids)).order_by("employer_id", "-pk"):
        latest.setdefault(notice.employer_id, notice)
    return latest
