"""Report reads on a real PostgreSQL streaming replica (REPORTS_DATABASE_URL; `.ci/replica-test`
starts one and runs these with REQUIRE_REPLICA=1, where a skip is a failure).

The replica receives the test database through the log (physical replication copies the whole
cluster), so the "reports" alias mirrors the test database's name on the replica's port. The
proof that a report reads the replica and not the primary: with the replica's replay paused,
a visit rolled up on the primary is not in the report, and it is once replay resumes."""

import datetime
import os
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext

from contributions.models import CollectionDay
from queueing import services
from queueing.models import Counter, QueueSummary, Service, Ticket
from queueing.selectors import queue_measures
from sso.core.db import REPORTS, primary_lsn, replica_replayed, reports_alias, reports_on_primary
from tests.factories import queue_office

REPLICA_URL = os.environ.get("REPORTS_DATABASE_URL", "")
REQUIRED = os.environ.get("REQUIRE_REPLICA") == "1"

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(not REPLICA_URL and not REQUIRED, reason="REPORTS_DATABASE_URL is not set (no replica)"),
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPORTS] if REPLICA_URL else None),
]

DAY = datetime.date(2026, 11, 16)
BANGKOK = ZoneInfo("Asia/Bangkok")
# What the queue's measures read: its summary rows or their roll-ups.
QUEUE_TABLES = re.compile(r"\bFROM queueing_queue(summary|rollup)\b")


@pytest.fixture
def replica():
    if not REPLICA_URL:
        pytest.fail("REQUIRE_REPLICA=1 but REPORTS_DATABASE_URL is not set: the replica test must run")
    reports = connections[REPORTS]
    # The replica's own port, the test database's name (the mirror), a server in recovery.
    assert int(reports.settings_dict["PORT"]) == urlsplit(REPLICA_URL).port
    assert reports.settings_dict["PORT"] != connections[DEFAULT_DB_ALIAS].settings_dict["PORT"]
    assert reports.settings_dict["NAME"] == connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    with reports.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port(), current_database()")
        in_recovery, port, name = cursor.fetchone()
    assert (in_recovery, port, name) == (True, urlsplit(REPLICA_URL).port, reports.settings_dict["NAME"])
    yield reports
    with reports.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")


def _replayed():
    assert replica_replayed(primary_lsn(), timeout=15), "the replica did not replay the primary's log in 15 s"


def at(minute):
    return datetime.datetime.combine(DAY, datetime.time(9, minute), tzinfo=BANGKOK)


def _visits(counter, officer, service, *minutes):
    """A visit served at `counter` from each minute past nine on DAY, then the day rolled up
    on the primary (its summary and whatever the queue's measures read)."""
    for minute in minutes:
        services.ticket_issue(
            service=service, customer_kind="employer", priority=Ticket.Priority.REGULAR, now=at(minute)
        )
        services.ticket_call_next(counter_id=counter.pk, officer=officer, now=at(minute + 1))
        services.ticket_start(counter=counter, officer=officer, now=at(minute + 1))
        services.ticket_finish(counter=counter, officer=officer, outcome="completed", now=at(minute + 4))
    services.queue_summary_roll(day=DAY)


def _replay(reports, action: str):
    with reports.cursor() as cursor:
        cursor.execute(f"SELECT pg_wal_replay_{action}()")


def test_the_reports_read_the_replica_and_only_what_it_has_replayed(replica, cast, offices, client_for):
    office = queue_office(offices["1001"])
    service = Service.objects.get(office=office, kind="contribution")
    counter = Counter.objects.get(office=office, number=1)
    services.counter_sign_in(counter=counter, officer=cast["counter"])
    _visits(counter, cast["counter"], service, 0, 10)
    _replayed()
    assert reports_alias() == REPORTS
    assert QueueSummary.objects.all().db == REPORTS  # the router, for the ORM's reads
    assert router.db_for_write(QueueSummary) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPORTS, "queueing") is False

    # Replay paused: a visit rolled up on the primary now is on the primary only.
    _replay(replica, "pause")
    _visits(counter, cast["counter"], service, 20)
    with reports_on_primary():
        [on_primary] = queue_measures(start=DAY, end=DAY, office_ids=[office.pk])
    assert on_primary.visits == 3

    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
        [measured] = queue_measures(start=DAY, end=DAY, office_ids=[office.pk])
        answer = client_for(cast["supervisor"]).get(
            "/api/reports/office/", {"office": "1001", "start": DAY.isoformat(), "end": DAY.isoformat()}
        )
    assert measured.visits == 2  # the replica's figures
    assert answer.status_code == 200
    figures = {f["key"]: f["value"] for s in answer.json()["sections"] for f in s["figures"]}
    assert figures["visits"] == 2
    assert any(QUEUE_TABLES.search(q["sql"]) for q in on_replica.captured_queries)
    assert not any(QUEUE_TABLES.search(q["sql"]) for q in primary.captured_queries)

    # A transaction on the primary reads the primary (it may hold its own writes).
    with transaction.atomic():
        assert reports_alias() == DEFAULT_DB_ALIAS
        [inside] = queue_measures(start=DAY, end=DAY, office_ids=[office.pk])
    assert inside.visits == 3

    # Replay resumed and caught up: the replica, and so the page, has the third visit.
    _replay(replica, "resume")
    _replayed()
    [measured] = queue_measures(start=DAY, end=DAY, office_ids=[office.pk])
    assert measured.visits == 3
    with CaptureQueriesContext(replica) as on_replica:
        page = client_for(cast["supervisor"]).get(
            "/reports/", {"office": "1001", "start": "16/11/2026", "end": "16/11/2026"}
        )
    assert page.status_code == 200
    assert any(QUEUE_TABLES.search(q["sql"]) for q in on_replica.captured_queries)


def test_the_back_office_reads_the_days_it_just_rolled_once_the_replica_has_them(replica, cast, client_for):
    # No day of the range rolled yet: the page rolls them on the primary, waits for the
    # replica to replay the roll and reads the summary there.
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
        end = DAY + datetime.timedelta(days=2)
        answer = client_for(cast["national"]).get(
            "/api/reports/backoffice/", {"start": DAY.isoformat(), "end": end.isoformat()}
        )
    assert answer.status_code == 200, answer.content
    table = CollectionDay._meta.db_table

    def reads(queries):
        return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]]

    assert reads(on_replica.captured_queries)
    assert not reads(primary.captured_queries)
    assert any(q["sql"].startswith(f'DELETE FROM "{table}"') for q in primary.captured_queries)  # the roll
    assert any("pg_last_wal_replay_lsn" in q["sql"] for q in on_replica.captured_queries)
