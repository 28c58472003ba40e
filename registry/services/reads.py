"""Reads of another office's person, recorded: a person is national, so any counter may
read anyone's record, and who looked at whom is kept for the supervisors (PersonReadLog)."""

from django.db import connection
from django.utils import timezone

from registry.models import PersonReadLog

# One row per reader, person and day: a second read that day is one statement that finds
# the row and writes nothing (the unique constraint personreadlog_once_a_day).
_INSERT = f"""
    INSERT INTO {PersonReadLog._meta.db_table}
           (reader_id, reader_office_id, person_id, person_office_id, day, first_read_at, via)
    VALUES (%s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (reader_id, person_id, day) DO NOTHING
"""


def person_read_record(*, reader, person_id: int, person_office_id: int, via: str) -> bool:
    """Record that `reader` read the person `person_id` (kept by `person_office_id`) through
    `via` ("page", "api", "lookup", "claim"), if the person is another office's; True when
    it was such a read. Reads of one's own office's persons are the office's work: not logged."""
    if not (reader and reader.is_authenticated) or person_office_id == reader.office_id:
        return False
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            [reader.pk, reader.office_id, person_id, person_office_id, timezone.localdate(now), now, via[:20]],
        )
    return True
