"""The queue's SQL files are the one source of what the database runs, and they speak the
models' language: the installed function is the file, every status or outcome the SQL
names is one of the model's, and the moves it makes are the ticket lifecycle's."""

import hashlib
import importlib
import re

import pytest
from django.db import connection

from queueing import services
from queueing.lifecycles import CLOSE_OUTCOMES, DAY_END_OUTCOMES, FINISH_OUTCOMES, TICKET_LIFECYCLE
from queueing.models import Counter, Service, Ticket, TicketSequence
from queueing.sql import SQL_DIR, sql_read
from sso.core.numbering import number_next_sql
from tests.factories import queue_office

SIGNATURE = "queue_call_next(bigint, bigint, bigint, text, timestamptz, date)"
LITERAL = re.compile(r"'([^']*)'")


def _body(sql: str) -> str:
    """The function's body as PostgreSQL keeps it (prosrc): the text between the $$."""
    return sql.split("$$", 2)[1]


def _code(sql: str) -> str:
    """The SQL without its comments (a comment's words are not literals)."""
    return re.sub(r"--[^\n]*", "", sql)


@pytest.mark.django_db
def test_the_installed_call_next_function_is_the_file():
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc, proconfig FROM pg_proc WHERE oid = %s::regprocedure", [SIGNATURE])
        source, config = cursor.fetchone()
    file_body = _body(sql_read("queue_call_next.sql"))
    assert hashlib.md5(source.encode()).hexdigest() == hashlib.md5(file_body.encode()).hexdigest()
    # The settings the file gives the function (and none of an older migration's).
    assert sorted(config) == ["enable_bitmapscan=off", "enable_sort=off"]


def test_the_newest_migration_applying_the_file_names_it_as_it_is():
    """A change to the file needs a new migration applying it again: without one, databases
    already migrated would keep the old function."""
    migrations = sorted((SQL_DIR.parent / "migrations").glob("0*.py"))
    applying = [path for path in migrations if "queue_call_next.sql" in path.read_text()]
    newest = importlib.import_module(f"queueing.migrations.{applying[-1].stem}")
    digest = hashlib.md5((SQL_DIR / "queue_call_next.sql").read_bytes()).hexdigest()
    assert newest.SOURCE_MD5 == digest, f"queue_call_next.sql changed: add a migration applying it (md5 {digest})"


def _literals_after(sql: str, column: str) -> set[str]:
    """Every literal compared with or assigned to `column` (`x = 'a'`, `x IN ('a', 'b')`)."""
    found = set()
    for match in re.finditer(rf"\b{column}\s*(?:=|IN)\s*(\([^)]*\)|'[^']*')", sql):
        found |= set(LITERAL.findall(match[1]))
    return found


def test_every_status_and_outcome_in_the_sql_files_is_the_models():
    call_next = _code(sql_read("queue_call_next.sql"))
    issue = _code(sql_read("ticket_issue.sql"))
    statuses = _literals_after(call_next, "status")
    outcomes = _literals_after(call_next, "p_close")
    refusals = set(re.findall(r"RAISE EXCEPTION '([^']*)'", call_next))
    assert statuses == {"waiting", "called", "serving", "done"}  # the parsing still finds them
    assert statuses <= set(Ticket.Status.values)
    assert outcomes and outcomes <= set(Ticket.Outcome.values)
    assert refusals <= set(services._CALL_NEXT_ERRORS) | {"not_found"}
    # The JSON keys the service reads, and the function's own settings: nothing else is quoted.
    others = {"ticket", "service", "counter_number", "synchronous_commit", "off"}
    assert set(LITERAL.findall(call_next)) <= statuses | outcomes | refusals | others
    # The issued ticket is waiting, with no outcome: the two literals of its INSERT.
    assert LITERAL.findall(issue) == [Ticket.Status.WAITING, ""]


def test_the_issue_takes_its_number_as_sso_core_numbering_does():
    """The kiosk's upsert reads the office and letter from the service row of the same
    statement (one round trip), so it cannot take number_next_sql's VALUES; the rest of it,
    the conflict target and the increment, is the same."""
    shared = number_next_sql(TicketSequence, "office_id", "service_day", "prefix").split(" ON CONFLICT ", 1)[1]

    def words(sql):
        return " ".join(sql.replace('"', "").split())

    assert f"ON CONFLICT {words(shared)}" in words(sql_read("ticket_issue.sql"))


def test_the_lifecycle_tables_agree():
    assert sorted(DAY_END_OUTCOMES) == TICKET_LIFECYCLE.sources(Ticket.Status.DONE)
    assert sorted(CLOSE_OUTCOMES) == TICKET_LIFECYCLE.sources(Ticket.Status.DONE)
    for status, outcome in DAY_END_OUTCOMES.items():
        assert outcome in CLOSE_OUTCOMES[status]
    assert set(FINISH_OUTCOMES) < set(CLOSE_OUTCOMES[Ticket.Status.SERVING])
    assert set(services.CLOSE_CURRENT_OUTCOMES) <= set(CLOSE_OUTCOMES[Ticket.Status.CALLED]) | set(FINISH_OUTCOMES)


def _state(ticket):
    ticket.refresh_from_db()
    return ticket.status, ticket.outcome


@pytest.mark.django_db
def test_the_moves_of_the_sql_call_next_are_the_lifecycles(cast, offices):
    office = queue_office(offices["1001"], counters=1)
    counter = Counter.objects.get(office=office, number=1)
    services.counter_sign_in(counter=counter, officer=cast["counter"])
    service = Service.objects.get(office=office, kind="contribution")
    tickets = [services.ticket_issue(service=service, customer_kind="employer") for _ in range(3)]
    seen = []

    def call(close=None):
        before = [_state(ticket) for ticket in tickets]
        services.ticket_call_next(counter_id=counter.pk, officer=cast["counter"], close_current=close)
        after = [_state(ticket) for ticket in tickets]
        seen.extend((old, new) for old, new in zip(before, after, strict=True) if old != new)

    call()  # waiting -> called
    call(close=Ticket.Outcome.NO_SHOW)  # called -> done (no-show), waiting -> called
    services.ticket_start(counter=counter, officer=cast["counter"])
    call(close=Ticket.Outcome.COMPLETED)  # serving -> done (completed)
    assert len(seen) == 5
    for (source, _), (target, outcome) in seen:
        assert TICKET_LIFECYCLE.allowed(source, target), f"queue_call_next moved a ticket {source} -> {target}"
        if target == Ticket.Status.DONE:
            assert outcome in CLOSE_OUTCOMES[source]
