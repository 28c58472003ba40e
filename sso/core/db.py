"""Where the report pages read: the reports database (a read replica of the primary) when
REPORTS_DATABASE_URL is set (settings' alias "reports"), else the primary.

Every report read goes through `reports_alias()` (ORM: `.using(reports_alias())`) or
`reports_connection()` (raw SQL), and `sso.core.routers.ReportsRouter` sends any other read
of the summary tables there too. Writes never go there. A read goes to the primary anyway:
- inside a transaction on the primary (the evidence PDF's, a test's): that transaction may
  hold writes of its own, which the replica never sees;
- inside `reports_after_write()` when the replica has not replayed this process's last
  write within `REPORTS_REPLICA_WAIT` seconds (a section that has just rolled its summary
  reads what it rolled).
"""

import contextlib
import contextvars
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPORTS = "reports"
_on_primary = contextvars.ContextVar("reports_on_primary", default=False)


def reports_configured() -> bool:
    return REPORTS in settings.DATABASES


def reports_alias() -> str:
    """The database alias a report reads now: "reports" or "default"."""
    if not reports_configured() or _on_primary.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPORTS


def reports_connection():
    """The connection a report's raw SQL runs on (`with reports_connection().cursor() as c`)."""
    return connections[reports_alias()]


@contextlib.contextmanager
def reports_on_primary():
    """Report reads in this block go to the primary."""
    token = _on_primary.set(True)
    try:
        yield
    finally:
        _on_primary.reset(token)


def primary_lsn() -> str:
    """The primary's current write-ahead log position."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def replica_replayed(lsn: str, *, timeout: float, alias: str = REPORTS) -> bool:
    """Whether the database `alias` has replayed the primary's log up to `lsn`, waiting up to
    `timeout` seconds (a database that is not in recovery is a primary: it has)."""
    deadline = time.monotonic() + timeout
    with connections[alias].cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT NOT pg_is_in_recovery() OR coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)", [lsn]
            )
            if cursor.fetchone()[0]:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)


@contextlib.contextmanager
def reports_after_write(wrote: bool = True):
    """Report reads in this block see what this process has just committed on the primary
    (`wrote`): from the replica once it has replayed it, else from the primary."""
    if not wrote or reports_alias() == DEFAULT_DB_ALIAS:
        yield
        return
    if replica_replayed(primary_lsn(), timeout=settings.REPORTS_REPLICA_WAIT):
        yield
        return
    with reports_on_primary():
        yield
