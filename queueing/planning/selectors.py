"""The planner's reads: an office's history as the forecast and the simulation need it, from
the queue's summary rows (queueing.selectors.queue_measures), and the few figures the summary
does not keep (the walk to the counter, a no-show's hold, the patience of those who give up)
from the tickets themselves; a recorded day's arrivals and counters, for the validation."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from queueing.models import Counter, PlannerRun, Service, Ticket
from queueing.selectors import queue_measures, service_targets_on
from sso.core.scoping import object_get_for_user


def arrivals_history(
    *, office_id: int, start: datetime.date, end: datetime.date
) -> dict[datetime.date, dict[tuple[int, int], int]]:
    """The office's arrivals (new visits, not transfers) of each day with any, by service and
    hour of issue: {day: {(service_id, hour): arrivals}}. One query of the summary rows."""
    history: dict[datetime.date, dict[tuple[int, int], int]] = {}
    for m in queue_measures(start=start, end=end, office_ids=[office_id], by=("day", "hour", "service"), histograms=()):
        if m.arrivals:
            cells = history.setdefault(m.group["day"], {})
            key = (m.group["service"], m.group["hour"])
            cells[key] = cells.get(key, 0) + m.arrivals
    return history


@dataclass
class ServiceFigures:
    """What the simulation needs of one service, from an office's recorded days."""

    service_id: int
    kind: str
    name: str
    tickets: int
    arrivals: int
    no_shows: int
    cancelled: int
    transfers: int  # tickets of this service sent on to another
    transfers_in: int  # tickets of this service that came from another (tickets - arrivals)
    priority_arrivals: int
    service_hist: list[int]  # whole minutes, as QueueSummary's


@dataclass
class OfficeFigures:
    """An office's recorded behaviour over a window of days, for the simulation."""

    start: datetime.date
    end: datetime.date
    services: dict[int, ServiceFigures]
    walkup_seconds: float  # called -> service started (the walk to the counter)
    no_show_seconds: float  # called -> closed as a no-show (the counter waits that long)
    patience_seconds: float  # issued -> cancelled, for those who gave up waiting


# The few figures the summary rows do not keep, from the tickets of the window
# (ticket_office_day_status: the office's days).
_TICKET_TIMES_SQL = """
SELECT avg(extract(epoch FROM started_at - called_at)) FILTER (WHERE started_at IS NOT NULL AND called_at IS NOT NULL),
       avg(extract(epoch FROM finished_at - called_at)) FILTER (WHERE outcome = 'no_show' AND called_at IS NOT NULL),
       avg(extract(epoch FROM finished_at - issued_at)) FILTER (WHERE outcome = 'cancelled')
FROM queueing_ticket
WHERE office_id = %(office)s AND service_day BETWEEN %(start)s AND %(end)s AND status = 'done'
"""


def office_figures(*, office_id: int, start: datetime.date, end: datetime.date) -> OfficeFigures:
    """The office's services as recorded from `start` to `end`: counts by outcome, priority
    share and the histogram of service times, per service (two queries of the summary's
    roll-ups), and the times of the walk-up, a no-show and a cancellation (one of the tickets)."""
    services = {s.pk: s for s in Service.objects.filter(office_id=office_id)}
    figures = {}
    for m in queue_measures(start=start, end=end, office_ids=[office_id], by=("service",), histograms=("service",)):
        service = services[m.group["service"]]
        figures[service.pk] = ServiceFigures(
            service_id=service.pk,
            kind=service.kind,
            name=service.name,
            tickets=m.tickets,
            arrivals=m.arrivals,
            no_shows=m.no_shows,
            cancelled=m.cancelled,
            transfers=m.transfers,
            transfers_in=m.tickets - m.arrivals,
            priority_arrivals=0,
            service_hist=list(m.service.counts),
        )
    for m in queue_measures(
        start=start, end=end, office_ids=[office_id], by=("service",), histograms=(), priority=Ticket.Priority.PRIORITY
    ):
        if m.group["service"] in figures:
            figures[m.group["service"]].priority_arrivals = m.arrivals
    with connection.cursor() as cursor:
        cursor.execute(_TICKET_TIMES_SQL, {"office": office_id, "start": start, "end": end})
        walkup, no_show, patience = cursor.fetchone()
    return OfficeFigures(
        start=start,
        end=end,
        services=figures,
        walkup_seconds=float(walkup or 0),
        no_show_seconds=float(no_show or 120),
        patience_seconds=float(patience or 1800),
    )


def counters_now(*, office_id: int) -> list[tuple[int, tuple[int, ...]]]:
    """The office's active counters and the active services each serves: [(number, (service_id, ...))]."""
    rows = []
    for counter in Counter.objects.filter(office_id=office_id, is_active=True).prefetch_related("services"):
        served = tuple(sorted(s.pk for s in counter.services.all() if s.is_active))
        if served:
            rows.append((counter.number, served))
    return sorted(rows)


@dataclass
class RecordedDay:
    """What happened at an office on a day: its arrivals and the counters that served."""

    day: datetime.date
    arrivals: list[tuple[float, int, int]]  # (seconds since midnight, service_id, priority), in order
    # (number, services served, first call and last finish in seconds since midnight)
    counters: list[tuple[int, tuple[int, ...], float, float]]


def _seconds(moment: datetime.datetime) -> float:
    local = timezone.localtime(moment)
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6


def recorded_day(*, office_id: int, day: datetime.date) -> RecordedDay:
    """An office's day as recorded in its tickets: every new visit's ticket (the transfers
    follow from them) and each counter's span of work (its first call to its last finish)."""
    tickets = Ticket.objects.filter(office_id=office_id, service_day=day)
    arrivals = sorted(
        (_seconds(issued), service_id, priority)
        for issued, service_id, priority in tickets.filter(transferred_from__isnull=True).values_list(
            "issued_at", "service_id", "priority"
        )
    )
    spans: dict[int, list[float]] = {}
    for counter_id, called, finished in tickets.filter(counter__isnull=False, called_at__isnull=False).values_list(
        "counter_id", "called_at", "finished_at"
    ):
        span = spans.setdefault(counter_id, [float("inf"), 0.0])
        span[0] = min(span[0], _seconds(called))
        span[1] = max(span[1], _seconds(finished or called))
    counters = []
    for counter in Counter.objects.filter(pk__in=spans).prefetch_related("services"):
        served = tuple(sorted(s.pk for s in counter.services.all() if s.is_active))
        if served:
            counters.append((counter.number, served, *spans[counter.pk]))
    return RecordedDay(day=day, arrivals=arrivals, counters=sorted(counters))


def recorded_days(*, office_id: int, before: datetime.date, count: int) -> list[datetime.date]:
    """The office's last `count` days with tickets before `before`, oldest first."""
    days = (
        Ticket.objects.filter(office_id=office_id, service_day__lt=before)
        .values_list("service_day", flat=True)
        .distinct()
        .order_by("-service_day")[:count]
    )
    return sorted(days)


def targets_by_service(*, office_id: int, day: datetime.date) -> dict[int, int]:
    """The target (minutes) of each of the office's services on `day` (those of a kind with one)."""
    targets = service_targets_on(day)
    return {
        pk: targets[kind]
        for pk, kind in Service.objects.filter(office_id=office_id).values_list("pk", "kind")
        if kind in targets
    }


# The planner's runs.

RUNS_LISTED = 20


def planner_run_list(*, office_id: int):
    """The office's latest runs of the planner, newest first."""
    return PlannerRun.objects.filter(office_id=office_id).select_related("requested_by")[:RUNS_LISTED]


def planner_run_get_for_user(*, user, pk: int) -> PlannerRun:
    """One run of the planner the user may see (their office's), or 404."""
    return object_get_for_user(PlannerRun.objects.select_related("office", "requested_by"), user, pk=pk)


@dataclass
class HourOutcome:
    """What happened in one hour of a recorded day: new visits, counters at work, waits."""

    hour: int
    arrivals: int
    counters: int
    wait_average: float | None  # minutes, issue to first call
    wait_p90: int | None  # whole minutes, rounded up


def day_outcome(*, office_id: int, day: datetime.date) -> list[HourOutcome]:
    """The office's recorded `day` by hour of issue: its new visits, the counters at work (a
    counter from its first call to its last finish), and the waits of the tickets issued."""
    import math

    recorded = recorded_day(office_id=office_id, day=day)
    waits: dict[int, list[float]] = {}
    arrivals: dict[int, int] = {}
    for issued, called, transferred in Ticket.objects.filter(office_id=office_id, service_day=day).values_list(
        "issued_at", "first_called_at", "transferred_from_id"
    ):
        hour = int(_seconds(issued) // 3600)
        if transferred is None:
            arrivals[hour] = arrivals.get(hour, 0) + 1
        if called is not None:
            waits.setdefault(hour, []).append((called - issued).total_seconds() / 60)
    hours = sorted(set(arrivals) | set(waits))
    out = []
    for hour in hours:
        start, end = hour * 3600, (hour + 1) * 3600
        open_ = sum(1 for _n, _s, first, last in recorded.counters if first < end and last > start)
        minutes = sorted(waits.get(hour, []))
        p90 = math.ceil(minutes[max(0, math.ceil(0.9 * len(minutes)) - 1)]) if minutes else None
        average = sum(minutes) / len(minutes) if minutes else None
        out.append(HourOutcome(hour, arrivals.get(hour, 0), open_, average, p90))
    return out
