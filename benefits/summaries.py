"""The reports' summary of claim step durations (`ClaimStepDay`): for each day, office,
benefit and step, the sorted durations of the steps that ended that day. A roll deletes and
inserts a day's rows in one transaction, so rolling a day again (the beat every few minutes
for today and yesterday, a page asking for today, a late correction) gives what the steps
and orders hold then. Each step counts a claim's first time through it (a claim examined
again after a confirmed finding keeps its first examination)."""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from benefits.models import Claim, ClaimStep, ClaimStepDay, ClaimStepRoll, PaymentOrder
from contributions.selectors import day_bounds

_ROLL_SQL = f"""
WITH touched AS (
    SELECT s.claim_id FROM {ClaimStep._meta.db_table} s WHERE s.at >= %(since)s AND s.at < %(until)s
    UNION
    SELECT o.claim_id FROM {PaymentOrder._meta.db_table} o
    WHERE o.paid_at >= %(since)s AND o.paid_at < %(until)s AND o.status = 'paid'
), marks AS (
    SELECT c.office_id, c.benefit, c.recorded_at,
        (SELECT min(s.at) FROM {ClaimStep._meta.db_table} s
         WHERE s.claim_id = c.id AND s.to_status = 'examined') AS examined,
        (SELECT min(s.at) FROM {ClaimStep._meta.db_table} s
         WHERE s.claim_id = c.id AND s.to_status IN ('approved', 'rejected')) AS decided,
        (SELECT min(s.at) FROM {ClaimStep._meta.db_table} s
         WHERE s.claim_id = c.id AND s.to_status = 'approved') AS approved,
        (SELECT min(o.paid_at) FROM {PaymentOrder._meta.db_table} o
         WHERE o.claim_id = c.id AND o.status = 'paid') AS paid
    FROM {Claim._meta.db_table} c JOIN touched t ON t.claim_id = c.id
    WHERE %(office)s::bigint IS NULL OR c.office_id = %(office)s::bigint
), durations AS (
    SELECT office_id, benefit, 'examine' AS step, examined - recorded_at AS took FROM marks
    WHERE examined >= %(since)s AND examined < %(until)s
    UNION ALL
    SELECT office_id, benefit, 'adjudicate', decided - examined FROM marks
    WHERE decided >= %(since)s AND decided < %(until)s AND examined IS NOT NULL
    UNION ALL
    SELECT office_id, benefit, 'pay', paid - approved FROM marks
    WHERE paid >= %(since)s AND paid < %(until)s AND approved IS NOT NULL
)
INSERT INTO {ClaimStepDay._meta.db_table} (day, office_id, benefit, step, count, seconds)
SELECT %(day)s, office_id, benefit, step, count(*),
       array_agg(GREATEST(0, round(extract(epoch FROM took)))::int ORDER BY took)
FROM durations GROUP BY office_id, benefit, step
"""


@transaction.atomic
def claim_steps_roll(*, day: datetime.date, office_id: int | None = None) -> int:
    """Roll up the durations of the steps that ended on `day` (every office's, or one's):
    the day's rows are replaced by what the steps and orders say now. Returns rows written."""
    since, until = day_bounds(day)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('claim_steps_roll'), %s)", [day.toordinal()])
        rows = ClaimStepDay.objects.filter(day=day)
        if office_id is not None:
            rows = rows.filter(office_id=office_id)
        rows.delete()
        cursor.execute(_ROLL_SQL, {"day": day, "since": since, "until": until, "office": office_id})
        written = cursor.rowcount
    if office_id is None:
        ClaimStepRoll.objects.update_or_create(day=day, defaults={"rolled_at": timezone.now()})
    return written


def claim_steps_fill(*, first: datetime.date, last: datetime.date, fresh_for: int = 60) -> int:
    """Roll the days from `first` to `last` (at most today) never rolled, and today when its
    roll is older than `fresh_for` seconds. Returns the days rolled."""
    today = timezone.localdate()
    last = min(last, today)
    rolled = dict(ClaimStepRoll.objects.filter(day__range=(first, last)).values_list("day", "rolled_at"))
    stale = timezone.now() - datetime.timedelta(seconds=fresh_for)
    count = 0
    day = first
    while day <= last:
        if day not in rolled or (day == today and rolled[day] < stale):
            claim_steps_roll(day=day)
            count += 1
        day += datetime.timedelta(days=1)
    return count
