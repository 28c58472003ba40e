"""The reports' summary of collection (`CollectionDay`): by day and office, the payments
posted by channel and the statements received by source. Derived data: a roll deletes and
inserts a day's rows in one transaction, so rolling a day again (the beat every few minutes
for today, a page asking for today, a late correction of an earlier day) gives what the
payments and statements hold then, never a day counted twice."""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from contributions.models import CollectionDay, CollectionRoll, Payment, Statement
from contributions.selectors import day_bounds
from sso.core.tasks import days_reroll_on_commit

_PAYMENTS_SQL = f"""
INSERT INTO {CollectionDay._meta.db_table} (day, office_id, measure, key, count, amount)
SELECT p.paid_on, p.office_id, 'payment', p.channel, count(*), sum(p.amount)
FROM {Payment._meta.db_table} p
WHERE p.paid_on = %(day)s AND p.status = 'posted'
  AND (%(office)s::bigint IS NULL OR p.office_id = %(office)s::bigint)
GROUP BY p.paid_on, p.office_id, p.channel
"""
_STATEMENTS_SQL = f"""
INSERT INTO {CollectionDay._meta.db_table} (day, office_id, measure, key, count, amount)
SELECT %(day)s, s.office_id, 'statement', s.source, count(*), sum(s.employee_total + s.employer_total)
FROM {Statement._meta.db_table} s
WHERE s.received_at >= %(since)s AND s.received_at < %(until)s AND s.status <> 'void'
  AND (%(office)s::bigint IS NULL OR s.office_id = %(office)s::bigint)
GROUP BY s.office_id, s.source
"""


@transaction.atomic
def collection_summary_roll(*, day: datetime.date, office_id: int | None = None) -> int:
    """Roll up `day`'s collection (of every office, or one): its summary rows are replaced
    by what the posted payments and received statements say now. Two rolls of one day wait
    for each other (a transaction lock on the day). Returns the rows written."""
    since, until = day_bounds(day)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('collection_summary_roll'), %s)", [day.toordinal()])
        rows = CollectionDay.objects.filter(day=day)
        if office_id is not None:
            rows = rows.filter(office_id=office_id)
        rows.delete()
        params = {"day": day, "since": since, "until": until, "office": office_id}
        cursor.execute(_PAYMENTS_SQL, params)
        written = cursor.rowcount
        cursor.execute(_STATEMENTS_SQL, params)
        written += cursor.rowcount
    if office_id is None:
        CollectionRoll.objects.update_or_create(day=day, defaults={"rolled_at": timezone.now()})
    return written


def collection_summary_fill(*, first: datetime.date, last: datetime.date, fresh_for: int = 60) -> int:
    """Make the summary of the days from `first` to `last` (at most today) current enough
    for a report: roll every day never rolled, and today when its last roll is older than
    `fresh_for` seconds. Returns the days rolled."""
    today = timezone.localdate()
    last = min(last, today)
    if last < first:
        return 0
    rolled = dict(CollectionRoll.objects.filter(day__range=(first, last)).values_list("day", "rolled_at"))
    stale = timezone.now() - datetime.timedelta(seconds=fresh_for)
    count = 0
    day = first
    while day <= last:
        if day not in rolled or (day == today and rolled[day] < stale):
            collection_summary_roll(day=day)
            count += 1
        day += datetime.timedelta(days=1)
    return count


def collection_day_changed(*, day: datetime.date, office_id: int) -> list[datetime.date]:
    """A payment of an earlier day posted (dated back: a bank's notice) or voided (its receipt)
    changes that day's rows: they are rolled again for the payment's office once the
    transaction commits (contributions.tasks.collection_summary_roll). Today's are the beat's.
    Returns the days sent."""
    from contributions.tasks import collection_summary_roll

    return days_reroll_on_commit(collection_summary_roll, days=[day], office_id=office_id)
