"""Demo queue: the standard services and six counters in every office, and optionally a
history of past tickets (`--queue-history N`) spread over the offices, loaded with COPY."""

import datetime
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from queueing.models import Counter, Service, Ticket
from queueing.services import office_queue_setup
from sso.core.models import Office


def add_arguments(parser):
    parser.add_argument("--queue-history", type=int, default=0, help="past tickets to generate (e.g. 2000000)")
    parser.add_argument("--queue-days", type=int, default=60, help="days the generated history spreads over")


def seed(*, stdout=None, **options) -> None:
    services = counters = 0
    for office in Office.objects.filter(is_active=True):
        added = office_queue_setup(office=office)
        services += added[0]
        counters += added[1]
    if stdout is not None:
        stdout.write(f"queueing: {services} new services, {counters} new counters")
    wanted = options.get("queue_history") or 0
    have = Ticket.objects.filter(service_day__lt=timezone.localdate()).count() if wanted else 0
    if wanted > have:
        started = time.monotonic()
        made = history_generate(count=wanted - have, days=options.get("queue_days") or 60)
        if stdout is not None:
            stdout.write(f"queueing: {made} past tickets in {time.monotonic() - started:.1f} s")


@transaction.atomic
def history_generate(*, count: int, days: int, seed: int = 2569) -> int:
    """Finished tickets of past days (arrival, calls, service start and end), per office and
    service in realistic proportions, written with COPY: visits, tickets and their calls."""
    rng = random.Random(seed)
    today = timezone.localdate()
    services = list(Service.objects.filter(is_active=True).values_list("id", "office_id", "prefix", "kind"))
    counters_by_office = {}
    for counter_id, office_id in Counter.objects.values_list("id", "office_id"):
        counters_by_office.setdefault(office_id, []).append(counter_id)
    weights = [
        6 if kind == "contribution" else 3 if kind in ("sickness", "registration") else 1 for *_, kind in services
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM queueing_visit")
        next_visit = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM queueing_ticket")
        next_ticket = cursor.fetchone()[0] + 1
        # A top-up (or a run on a later day) numbers on after the tickets those days have.
        cursor.execute(
            "SELECT office_id, service_day, prefix, MAX(number) FROM queueing_ticket"
            " WHERE service_day >= %s AND service_day < %s GROUP BY 1, 2, 3",
            [today - datetime.timedelta(days=days), today],
        )
        numbers = {(office_id, day, prefix): last for office_id, day, prefix, last in cursor.fetchall()}
    per_day = max(1, count // days)
    visits, tickets, calls = [], [], []
    outcomes = ["completed"] * 85 + ["documents_missing"] * 8 + ["referred"] * 3 + ["no_show"] * 4
    for index in range(count):
        day = today - datetime.timedelta(days=1 + index // per_day % days)
        service_id, office_id, prefix, _kind = rng.choices(services, weights)[0]
        key = (office_id, day, prefix)
        numbers[key] = numbers.get(key, 0) + 1
        arrive = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(8, 30)) + datetime.timedelta(seconds=rng.randint(0, 8 * 3600))
        )
        called = arrive + datetime.timedelta(seconds=rng.randint(60, 3600))
        outcome = rng.choice(outcomes)
        started = None if outcome == "no_show" else called + datetime.timedelta(seconds=rng.randint(20, 120))
        finished = (started or called) + datetime.timedelta(seconds=rng.randint(120, 1500))
        counter_id = rng.choice(counters_by_office[office_id])
        visit_id, ticket_id = next_visit + index, next_ticket + index
        visits.append((visit_id, office_id, arrive, finished))
        tickets.append(
            (ticket_id, office_id, service_id, visit_id, day, prefix, numbers[key], "insured", "", 1, "done", outcome,
             arrive, arrive, called, called, 1, started, finished, counter_id)
        )  # fmt: skip
        calls.append((ticket_id, counter_id, called))
    with connection.cursor() as cursor:
        _copy(cursor, "queueing_visit (id, office_id, started_at, finished_at)", visits)
        _copy(
            cursor,
            "queueing_ticket (id, office_id, service_id, visit_id, service_day, prefix, number, customer_kind, "
            "customer_ref, priority, status, outcome, queued_at, issued_at, first_called_at, called_at, call_count, "
            "started_at, finished_at, counter_id)",
            tickets,
        )
        _copy(cursor, "queueing_ticketcall (ticket_id, counter_id, called_at)", calls)
        for table in ("queueing_visit", "queueing_ticket"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        # Keep the numbering of those past days consistent with what was generated.
        cursor.execute(
            """INSERT INTO queueing_ticketsequence (office_id, service_day, prefix, last_number)
               SELECT office_id, service_day, prefix, MAX(number) FROM queueing_ticket
               WHERE service_day < %s GROUP BY 1, 2, 3
               ON CONFLICT (office_id, service_day, prefix) DO UPDATE SET last_number = EXCLUDED.last_number""",
            [today],
        )
        cursor.execute("ANALYZE queueing_visit; ANALYZE queueing_ticket; ANALYZE queueing_ticketcall")
    return count


def _copy(cursor, target, rows):
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
