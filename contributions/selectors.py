"""Reads of contribution collection beyond one line."""

import datetime

from django.db import connection

from contributions import rules
from contributions.models import ContributionMonth


def contribution_months_count(person_id: int, *, before: datetime.date, months: int, section: str | None = None) -> int:
    """How many wage periods were paid for a person in the `months` months before the month
    of `before` (that month itself excluded): the qualifying count of the benefit rules
    ("3 months within the 15 months before treatment"). Months paid by two employers count
    once. One index-only scan of (person, period): well under a millisecond for 30 years."""
    last = rules.period_of(before)
    first = rules.period_add(last, -months)
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
