"""Demo queue: the standard services and six counters in every office; about 90 days of
realistic queue history for the demo offices (`--queue-days-demo`, by default; the report
pages' data) with their summary rows rolled up; and optionally a bulk history of past tickets
(`--queue-history N`, for benchmarks) spread over the offices. Both are loaded with COPY."""

import datetime
import math
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from queueing.models import Counter, Service, Ticket
from queueing.services import PROCESS_CLAIM_KINDS, office_queue_setup, queue_summary_roll
from registry.validators import pin_check_digit
from sso.core.demo import DEMO_OFFICES
from sso.core.models import Office, User


def add_arguments(parser):
    parser.add_argument("--queue-history", type=int, default=0, help="past tickets to generate (e.g. 2000000)")
    parser.add_argument("--queue-days", type=int, default=60, help="days the generated history spreads over")
    parser.add_argument(
        "--queue-days-demo", type=int, default=90, help="days of realistic queue history for the demo offices (0: none)"
    )


def seed(*, stdout=None, **options) -> None:
    services = counters = 0
    for office in Office.objects.filter(is_active=True):
        added = office_queue_setup(office=office)
        services += added[0]
        counters += added[1]
    if stdout is not None:
        stdout.write(f"queueing: {services} new services, {counters} new counters")
    demo_days = options.get("queue_days_demo", 90)
    if demo_days:
        started = time.monotonic()
        made = demo_history_generate(days=demo_days)
        if stdout is not None and made:
            stdout.write(f"queueing: {made} tickets of {demo_days} days' history in {time.monotonic() - started:.1f} s")
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


# The demo history: customers a day at an office on an ordinary day, their hours (08:30 to
# 16:30, a morning peak), the services they come for and each one's average service time
# (minutes, log-normal around it), and how visits end.
DEMO_PER_DAY = 60
DEMO_HOURS = {8: 0.6, 9: 1.7, 10: 1.8, 11: 1.2, 12: 0.5, 13: 0.9, 14: 0.8, 15: 0.5, 16: 0.15}
DEMO_SERVICES = {
    "contribution": (40, 9), "registration": (12, 12), "sickness": (12, 16), "maternity": (4, 18),
    "invalidity": (2, 22), "death": (1, 22), "child_allowance": (6, 12), "old_age": (5, 18),
    "unemployment": (8, 14), "enquiry": (10, 5),
}  # fmt: skip
DEMO_ENDS = ["completed"] * 82 + ["documents_missing"] * 8 + ["referred"] * 2 + ["no_show"] * 4 + ["cancelled"] * 2
DEMO_TRANSFER_SHARE = 0.04
DEMO_PRIORITY_SHARE = 0.08
# Of the visits ended with documents missing, the share whose customer comes back for the same
# service, and after how many days at most (a few past the report's 30, to be left out).
DEMO_RETURN_SHARE = 0.6
DEMO_RETURN_DAYS = 35
# Of the claims recorded at the counter, the share decided there too (clear-cut).
DEMO_DECIDED_SHARE = 0.4


def _crowd(day: datetime.date) -> float:
    """How many more come than on an ordinary day: around the 15th (contributions are due)
    and at the month's end, and on Mondays."""
    last = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    factor = 1 + 1.4 * math.exp(-(((day.day - 15) / 1.6) ** 2))
    if day.day >= last.day - 1:
        factor += 0.8
    return factor + (0.15 if day.weekday() == 0 else 0)


@transaction.atomic
def demo_history_generate(*, days: int = 90, seed: int = 2569) -> int:
    """The demo offices' queue over the last `days` working days before today: arrivals by
    hour and day, each served at the first free counter of its service (so the crowd's days
    wait longer, some past their target), no-shows, cancellations, transfers, priority
    tickets; each customer's national ID, and most of those sent home for a missing document
    back for the same service within DEMO_RETURN_DAYS; the case's step of each completed
    contribution or claim visit (TicketEvent: receipt issued, claim recorded, some decided);
    then their summary rows. An office's day that has tickets is left alone
    (idempotent). Returns the tickets written."""
    today = timezone.localdate()
    first = today - datetime.timedelta(days=days)
    offices = list(Office.objects.filter(code__in=[row[0] for row in DEMO_OFFICES], is_active=True).order_by("code"))
    done = set(
        Ticket.objects.filter(office__in=offices, service_day__gte=first, service_day__lt=today)
        .values_list("office_id", "service_day")
        .distinct()
    )
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM queueing_visit")
        ids = {"visit": cursor.fetchone()[0]}
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM queueing_ticket")
        ids["ticket"] = cursor.fetchone()[0]
    rows = {"visit": [], "ticket": [], "call": [], "event": []}
    for office in offices:
        plan = _office_plan(office)
        if plan is None:
            continue
        plan["returns"] = {}  # day -> [(kind, customer_ref)]: the customers coming back that day
        for offset in range(days, 0, -1):
            day = today - datetime.timedelta(days=offset)
            if day.weekday() >= 5 or (office.pk, day) in done:
                continue
            _day_simulate(office.pk, day, plan, rng, ids, rows)
    if not rows["ticket"]:
        return 0
    with connection.cursor() as cursor:
        _copy(cursor, "queueing_visit (id, office_id, started_at, finished_at)", rows["visit"])
        _copy(
            cursor,
            "queueing_ticket (id, office_id, service_id, visit_id, service_day, prefix, number, customer_kind, "
            "customer_ref, priority, status, outcome, queued_at, issued_at, first_called_at, called_at, call_count, "
            "started_at, finished_at, counter_id, officer_id, transferred_from_id)",
            rows["ticket"],
        )
        _copy(cursor, "queueing_ticketcall (ticket_id, counter_id, officer_id, called_at)", rows["call"])
        _copy(cursor, "queueing_ticketevent (ticket_id, kind, at)", rows["event"])
        _sequences_fix(cursor, today)
    queue_summary_roll(day=first, end=today - datetime.timedelta(days=1))
    return len(rows["ticket"])


def _office_plan(office):
    """The office's services (kind -> id, prefix), the counters serving each, the officer at
    each counter (the office's counter officers in turn), and its size (bigger offices, more customers)."""
    services = {kind: (pk, prefix) for pk, prefix, kind in Service.objects.filter(office=office, is_active=True)
                .values_list("pk", "prefix", "kind")}  # fmt: skip
    counters = {}
    for counter in Counter.objects.filter(office=office, is_active=True).prefetch_related("services"):
        for service in counter.services.all():
            counters.setdefault(service.pk, []).append(counter.pk)
    officers = list(
        User.objects.filter(office=office, groups__name="counter_officer").order_by("pk").values_list("pk", flat=True)
    )
    if not services or not counters or not officers:
        return None
    officer_of = {
        pk: officers[i % len(officers)] for i, pk in enumerate(sorted({c for cs in counters.values() for c in cs}))
    }
    size = 1.4 if office.kind == Office.Kind.AREA else 0.7 if office.kind == Office.Kind.HEAD else 1.0
    return {"services": services, "counters": counters, "officer_of": officer_of, "size": size}


def _day_simulate(office_id, day, plan, rng, ids, rows) -> None:
    services, counters = plan["services"], plan["counters"]
    kinds = [kind for kind in DEMO_SERVICES if kind in services and services[kind][0] in counters]
    weights = [DEMO_SERVICES[kind][0] for kind in kinds]
    hours, hour_weights = list(DEMO_HOURS), list(DEMO_HOURS.values())
    count = round(DEMO_PER_DAY * plan["size"] * _crowd(day) * rng.uniform(0.85, 1.15))
    opening = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 30)))
    arrivals = []
    for _ in range(count):
        hour = rng.choices(hours, hour_weights)[0]
        start = max(opening, timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))))
        ref = _demo_pin(office_id, rng.randint(1, 10**6))
        arrivals.append((start + datetime.timedelta(seconds=rng.randint(0, 3599)), rng.choices(kinds, weights)[0], ref))
    for kind, ref in plan["returns"].pop(day, []):
        hour = rng.choices(hours, hour_weights)[0]
        start = max(opening, timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))))
        arrivals.append((start + datetime.timedelta(seconds=rng.randint(0, 3599)), kind, ref))
    arrivals.sort()
    free_at = {}
    numbers = {}

    def ticket(visit_id, kind, issued, queued, priority, end, ref, from_ticket=None):
        service_id, prefix = services[kind]
        numbers[prefix] = numbers.get(prefix, 0) + 1
        ids["ticket"] += 1
        pk = ids["ticket"]
        if end == "cancelled":
            finished = issued + datetime.timedelta(minutes=rng.randint(10, 40))
            rows["ticket"].append((pk, office_id, service_id, visit_id, day, prefix, numbers[prefix], "insured", ref,
                                   priority, "done", end, queued, issued, None, None, 0, None, finished, None, None,
                                   from_ticket))  # fmt: skip
            return pk, finished
        counter = min(counters[service_id], key=lambda c: free_at.get(c, opening))
        free = free_at.get(counter, opening)
        called = max(issued, free)
        jumped = False
        if priority == 0:  # called before the regular queue
            early = issued + datetime.timedelta(minutes=rng.uniform(1, 6))
            jumped = early < called
            called = min(called, early)
        started = None if end == "no_show" else called + datetime.timedelta(seconds=rng.randint(15, 90))
        average = DEMO_SERVICES[kind][1]
        minutes = rng.lognormvariate(math.log(average) - 0.45**2 / 2, 0.45)
        finished = (
            called + datetime.timedelta(minutes=2) if started is None else started + datetime.timedelta(minutes=minutes)
        )
        # A priority ticket called ahead is served in between: the counter's next regular
        # customers wait as long as it took (the counter serves one at a time).
        free_at[counter] = free + (finished - called) if jumped else max(free, finished)
        officer = plan["officer_of"][counter]
        rows["ticket"].append((pk, office_id, service_id, visit_id, day, prefix, numbers[prefix], "insured", ref,
                               priority, "done", end, queued, issued, called, called, 1, started, finished, counter,
                               officer, from_ticket))  # fmt: skip
        rows["call"].append((pk, counter, officer, called))
        if end == "completed":
            _demo_steps(pk, kind, started, finished, rng, rows["event"])
        return pk, finished

    for arrived, kind, ref in arrivals:
        ids["visit"] += 1
        visit_id = ids["visit"]
        priority = 0 if rng.random() < DEMO_PRIORITY_SHARE else 1
        end = rng.choice(DEMO_ENDS)
        transfer = end == "completed" and rng.random() < DEMO_TRANSFER_SHARE / 0.82
        pk, finished = ticket(visit_id, kind, arrived, arrived, priority, "transferred" if transfer else end, ref)
        if transfer:
            onward = rng.choice([k for k in kinds if k != kind])
            pk, finished = ticket(visit_id, onward, finished, arrived, priority, "completed", ref, from_ticket=pk)
        rows["visit"].append((visit_id, office_id, arrived, finished))
        if end == "documents_missing" and rng.random() < DEMO_RETURN_SHARE:
            back = day + datetime.timedelta(days=rng.randint(1, DEMO_RETURN_DAYS))
            back += datetime.timedelta(days=max(0, 7 - back.weekday()) if back.weekday() >= 5 else 0)
            plan["returns"].setdefault(back, []).append((kind, ref))


def _demo_pin(office_id: int, n: int) -> str:
    """A demo customer's national ID (valid check digit), one of a million per office."""
    body = f"3{office_id % 10000:04d}{n:07d}"
    return body + pin_check_digit(body)


def _demo_steps(ticket_id, kind, started, finished, rng, events) -> None:
    """The case's step(s) of a completed visit, as the counter's services would have told the
    queue: the receipt just before the end of a contribution visit; a claim recorded part-way
    through, and some decided at the end."""
    if kind == "contribution":
        events.append(
            (ticket_id, "receipt_issued", max(started, finished - datetime.timedelta(seconds=rng.randint(20, 90))))
        )
    elif kind in PROCESS_CLAIM_KINDS:
        events.append((ticket_id, "claim_recorded", started + (finished - started) * rng.uniform(0.5, 0.8)))
        if rng.random() < DEMO_DECIDED_SHARE:
            events.append((ticket_id, "claim_decided", finished - datetime.timedelta(seconds=rng.randint(10, 40))))


def _sequences_fix(cursor, today) -> None:
    """After a COPY: the id sequences go on after the rows written, and the ticket numbering
    of those past days after their last number."""
    for table in ("queueing_visit", "queueing_ticket"):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    cursor.execute(
        """INSERT INTO queueing_ticketsequence (office_id, service_day, prefix, last_number)
           SELECT office_id, service_day, prefix, MAX(number) FROM queueing_ticket
           WHERE service_day < %s GROUP BY 1, 2, 3
           ON CONFLICT (office_id, service_day, prefix) DO UPDATE SET last_number = EXCLUDED.last_number""",
        [today],
    )
    cursor.execute("ANALYZE queueing_visit; ANALYZE queueing_ticket; ANALYZE queueing_ticketcall")
