"""Report reads on a real PostgreSQL streaming replica (REPORTS_DATABASE_URL; `.ci/replica-test`
starts one and runs these with REQUIRE_REPLICA=1, where a skip is a failure).

The replica receives the test database through the log (physical replication copies the whole
cluster), so the "reports" alias mirrors the test database's name on the replica's port. The
proof that a report reads the replica and not the primary: with the replica's replay paused,
a summary row committed on the primary is not in the report, and it is once replay resumes."""

import datetime
import os
from urllib.parse import urlsplit

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contributions.models import CollectionDay
from queueing.models import QueueSummary, Service
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
SUMMARY = QueueSummary._meta.db_table


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


def _summary_row(office, service, *, served, within):
    return QueueSummary.objects.create(
        office=office, day=DAY, service=service, hour=9, priority=0, tickets=served, arrivals=served,
        served=served, targeted=served, within_target=within, visit_hist=[0, served], visit_seconds=60 * served,
        visit_max=60, rolled_at=timezone.now(),
    )  # fmt: skip


def _replay(reports, action: str):
    with reports.cursor() as cursor:
        cursor.execute(f"SELECT pg_wal_replay_{action}()")


def test_the_reports_read_the_replica_and_only_what_it_has_replayed(replica, cast, offices, client_for):
    office = queue_office(offices["1001"])
    service = Service.objects.get(office=office, kind="contribution")
    _summary_row(office, service, served=5, within=4)
    _replayed()
    assert reports_alias() == REPORTS
    assert QueueSummary.objects.all().db == REPORTS  # the router, for the ORM's reads
    assert router.db_for_write(QueueSummary) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(REPORTS, "queueing") is False

    # Replay paused: a row committed on the primary now is on the primary only.
    _replay(replica, "pause")
    _summary_row(office, service, served=3, within=1)
    with reports_on_primary():
        [on_primary] = queue_measures(start=DAY, end=DAY, office_ids=[office.pk])
    assert (on_primary.visits, on_primary.within_target) == (8, 5)

    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
        [measured] = queue_measures(start=DAY, end=DAY, office_ids=[office.pk])
        answer = client_for(cast["supervisor"]).get(
            "/api/reports/office/", {"office": "1001", "start": DAY.isoformat(), "end": DAY.isoformat()}
        )
    assert (measured.visits, measured.within_target) == (5, 4)  # the replica's figures
    assert answer.status_code == 200
    figures = {f["key"]: f["value"] for s in answer.json()["sections"] for f in s["figures"]}
    assert figures["visits"] == 5 and figures["within_target"] == 0.8
    assert any(SUMMARY in q["sql"] for q in on_replica.captured_queries)
    assert not any(SUMMARY in q["sql"] for q in primary.captured_queries)

    # A transaction on the primary reads the primary (it may hold its own writes).
    with transaction.atomic():
        assert reports_alias() == DEFAULT_DB_ALIAS
        [inside] = queue_measures(start=DAY, end=DAY, office_ids=[office.pk])
    assert inside.visits == 8

    # Replay resumed and caught up: the replica, and so the page, has the second row.
    _replay(replica, "resume")
    _replayed()
    [measured] = queue_measures(start=DAY, end=DAY, office_ids=[office.pk])
    assert (measured.visits, measured.within_target) == (8, 5)
    with CaptureQueriesContext(replica) as on_replica:
        page = client_for(cast["supervisor"]).get(
            "/reports/", {"office": "1001", "start": "16/11/2026", "end": "16/11/2026"}
        )
    assert page.status_code == 200
    assert any(SUMMARY in q["sql"] for q in on_replica.captured_queries)


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
