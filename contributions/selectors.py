"""Reads of contribution collection beyond one line."""

import datetime

from django.db import connection

from contributions import rules
from contributions.models import ContributionMonth
from sso.core.months import month_add, month_first


def contribution_months_count(person_id: int, *, before: datetime.date, months: int, section: str | None = None) -> int:
    """How many wage periods were paid for a person in the `months` months before the month
    of `before` (that month itself excluded): the qualifying count of the benefit rules
    ("3 months within the 15 months before treatment"). Months paid by two employers count
    once. One index-only scan of (person, period): well under a millisecond for 30 years."""
    last = month_first(before)
    first = month_add(last, -months)
    table = ContributionMonth._meta.db_table
    sql = f"SELECT count(DISTINCT period) FROM {table} WHERE person_id = %s AND period >= %s AND period < %s"
    params = [person_id, first, last]
    if section is not None:
        sql += " AND section = %s"
        params.append(section)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def contribution_history(person_id: int, *, limit: int = 36) -> list[ContributionMonth]:
    """A person's latest paid months, newest first, with the employer (the person page)."""
    return list(
        ContributionMonth.objects.filter(person_id=person_id)
        .select_related("employer")
        .order_by("-period", "employer_id")[:limit]
    )


# For benefits ---------------------------------------------------------------------------
# The contribution history the benefit rules count (months paid, wages, ceilings) and the
# back office's check that a person is still on an employer's statements.


def contribution_periods(
    person_id: int, *, sections, first: datetime.date | None = None, before: datetime.date | None = None
) -> list[datetime.date]:
    """The distinct wage periods paid for the person under `sections`, oldest first, from
    `first` (included) to `before` (excluded) when given."""
    months = ContributionMonth.objects.filter(person_id=person_id, section__in=list(sections))
    if first is not None:
        months = months.filter(period__gte=first)
    if before is not None:
        months = months.filter(period__lt=before)
    return list(months.values_list("period", flat=True).distinct().order_by("period"))


def contribution_wages(
    person_id: int, *, sections, first: datetime.date | None = None, before: datetime.date | None = None
) -> list[tuple[datetime.date, object]]:
    """(period, wage) of each paid month row of the person under `sections` (one per
    employer), from `first` (included) to `before` (excluded) when given."""
    months = ContributionMonth.objects.filter(person_id=person_id, section__in=list(sections))
    if first is not None:
        months = months.filter(period__gte=first)
    if before is not None:
        months = months.filter(period__lt=before)
    return list(months.values_list("period", "wage"))


def wage_ceiling(period: datetime.date):
    """The Section 33 wage ceiling of a wage period (15,000 before 2026, 17,500 from it)."""
    return rules.rate_for(period).wage_ceiling


def statement_line_after(person_id: int, day: datetime.date):
    """The latest line listing the person on a statement (accepted or paid, not replaced by
    an amendment) for a wage month starting after `day`, with its statement and employer;
    None when no statement lists the person after `day`."""
    from contributions.models import Statement, StatementLine

    done = (Statement.Status.ACCEPTED, Statement.Status.PAID)
    return (
        StatementLine.objects.filter(person_id=person_id, statement__status__in=done, statement__period__gt=day)
        .exclude(statement__amendments__status__in=done)
        .select_related("statement__employer")
        .order_by("-statement__period", "-statement_id")
        .first()
    )
