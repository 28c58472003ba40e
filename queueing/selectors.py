"""Reads of the walk-in queue: what a counter holds, who waits, the board, service times.

Over 500 lines: every read of the queue (the counters' and kiosk's, the live views', the
summary rows' measures) is here, by the app-boundary rule that other apps read only selectors."""

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, F, Func, IntegerField, Min, OuterRef, Q, Subquery
from django.utils import timezone

from queueing.models import Counter, Service, ServiceTarget, Ticket, TicketCall
from sso.core.db import reports_connection
from sso.core.models import Office
from sso.core.months import month_add, month_first
from sso.core.scoping import object_get_for_user, office_scoped

OPEN = [Ticket.Status.CALLED, Ticket.Status.SERVING]


def counter_get_for_user(*, user, pk) -> Counter:
    return object_get_for_user(Counter.objects.select_related("office", "officer"), user, pk=pk)


def ticket_get_for_user(*, user, pk) -> Ticket:
    return object_get_for_user(Ticket.objects.select_related("service", "counter", "visit"), user, pk=pk)


def counter_list(*, user, office_id=None):
    counters = office_scoped(Counter.objects.select_related("officer", "office"), user)
    if office_id is not None:
        counters = counters.filter(office_id=office_id)
    return counters.prefetch_related("services").order_by("office_id", "number")


def service_list(*, office_id, active_only=True):
    services = Service.objects.filter(office_id=office_id)
    if active_only:
        services = services.filter(is_active=True)
    return services.order_by("sort_order", "prefix")


def counter_current_ticket(counter: Counter) -> Ticket | None:
    return Ticket.objects.select_related("service", "visit").filter(counter=counter, status__in=OPEN).first()


def ticket_customer_record(ticket: Ticket, user):
    """The registry record the ticket's ID points at (insured person or employer), if the
    officer may see it: what the console opens as the ticket's case."""
    from registry.selectors import employer_search, person_get_by_national_id

    ref = ticket.customer_ref
    if ticket.customer_kind == Ticket.CustomerKind.INSURED and len(ref) == 13:
        return person_get_by_national_id(ref, user)
    if ticket.customer_kind == Ticket.CustomerKind.EMPLOYER and len(ref) == 10:
        return employer_search(ref, user).first()
    return None


_AHEAD_SQL = """
SELECT
    (SELECT count(*) FROM queueing_ticket t
     WHERE t.office_id = %(office)s AND t.service_day = %(day)s AND t.status = 'waiting'
       AND t.service_id = %(service)s
       AND (t.priority, t.queued_at, t.id) < (%(priority)s, %(queued_at)s, %(id)s)),
    (SELECT count(*) FROM queueing_counter c
     JOIN queueing_counter_services cs ON cs.counter_id = c.id
     WHERE cs.service_id = %(service)s AND c.officer_id IS NOT NULL AND c.is_active)
"""


def _ahead_and_counters(ticket: Ticket) -> tuple[int, int]:
    """Waiting tickets of the ticket's service called before it (calling order: priority
    class, then the time the place was taken), and the counters open for the service."""
    values = {
        "office": ticket.office_id,
        "day": ticket.service_day,
        "service": ticket.service_id,
        "priority": ticket.priority,
        "queued_at": ticket.queued_at,
        "id": ticket.id,
    }
    with connection.cursor() as cursor:
        cursor.execute(_AHEAD_SQL, values)
        ahead, counters = cursor.fetchone()
    return (ahead if ticket.status == Ticket.Status.WAITING else 0), counters


def ticket_people_ahead(ticket: Ticket) -> int:
    """Waiting tickets of the same service that will be called before this one."""
    if ticket.status != Ticket.Status.WAITING:
        return 0
    return _ahead_and_counters(ticket)[0]


def service_target_minutes(kind: str, day: datetime.date) -> int | None:
    target = (
        ServiceTarget.objects.filter(kind=kind, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    return target.minutes if target else None


def _average_key(service_id: int, days: int) -> str:
    return f"queue:avg:{service_id}:{days}"


AVERAGE_SECONDS = 600


def service_average_minutes(service: Service, *, days: int = 7, now=None) -> float | None:
    """Average time at the counter (start to finish) over the last `days` days. Every kiosk
    ticket asks for it and it moves slowly: read from the cache, which the beat refreshes
    for every service each minute (`service_averages_refresh`); computed here only on a miss."""
    key = _average_key(service.pk, days)
    cached = cache.get(key)
    if cached is not None and now is None:
        return cached or None
    now = now or timezone.now()
    result = Ticket.objects.filter(
        service=service,
        status=Ticket.Status.DONE,
        started_at__isnull=False,
        finished_at__gte=now - datetime.timedelta(days=days),
    ).aggregate(avg=Avg(F("finished_at") - F("started_at")))
    minutes = result["avg"].total_seconds() / 60 if result["avg"] else None
    cache.set(key, minutes or 0, AVERAGE_SECONDS)
    return minutes


def service_averages_refresh(*, days: int = 7, now=None) -> int:
    """Compute every active service's average in one pass and keep them in the cache (the
    beat, each minute), so that no kiosk waits for the average. Returns the services done."""
    now = now or timezone.now()
    averages = dict(
        Ticket.objects.filter(
            status=Ticket.Status.DONE, started_at__isnull=False, finished_at__gte=now - datetime.timedelta(days=days)
        )
        .values_list("service_id")
        .annotate(avg=Avg(F("finished_at") - F("started_at")))
        .values_list("service_id", "avg")
    )
    values = {
        _average_key(pk, days): (averages[pk].total_seconds() / 60 if averages.get(pk) else 0)
        for pk in Service.objects.filter(is_active=True).values_list("pk", flat=True)
    }
    cache.set_many(values, AVERAGE_SECONDS)
    return len(values)


def ticket_people_ahead_and_wait(ticket: Ticket) -> tuple[int, int]:
    """People ahead, and the wait: people ahead x average service time / counters open for
    the service (minutes, rounded up). One query, the average kept in the cache."""
    ahead, counters = _ahead_and_counters(ticket)
    per_person = service_average_minutes(ticket.service)
    if per_person is None:
        target = service_target_minutes(ticket.service.kind, ticket.service_day)
        per_person = target / 3 if target else 10
    minutes = ahead * per_person / max(counters, 1)
    return ahead, int(-(-minutes // 1))


def ticket_estimated_wait_minutes(ticket: Ticket) -> int:
    return ticket_people_ahead_and_wait(ticket)[1]


@dataclass
class ServiceLoad:
    service: Service
    waiting: int
    longest_wait_minutes: int
    counters_open: int
    target_minutes: int | None

    @property
    def over_target(self) -> bool:
        """The longest wait now passes the target of the service's kind (in force today)."""
        return self.target_minutes is not None and self.longest_wait_minutes > self.target_minutes


def queue_live(*, office_id, now=None) -> dict:
    """The supervisor's live view: waiting per service, longest wait, counters and officers."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    services = list(service_list(office_id=office_id))
    targets = service_targets_on(today)
    waiting = {
        row["service_id"]: row
        for row in Ticket.objects.filter(office_id=office_id, status=Ticket.Status.WAITING, service_day=today)
        .values("service_id")
        .annotate(n=Count("id"), oldest=Min("queued_at"))
    }
    counters = list(
        Counter.objects.filter(office_id=office_id, is_active=True)
        .select_related("officer")
        .prefetch_related("services")
        .order_by("number")
    )
    open_counters = [c for c in counters if c.officer_id]
    current = {
        t.counter_id: t for t in Ticket.objects.filter(office_id=office_id, status__in=OPEN).select_related("service")
    }
    loads = []
    for service in services:
        row = waiting.get(service.id)
        oldest = row["oldest"] if row else None
        loads.append(
            ServiceLoad(
                service=service,
                waiting=row["n"] if row else 0,
                longest_wait_minutes=int((now - oldest).total_seconds() // 60) if oldest else 0,
                counters_open=sum(1 for c in open_counters if any(s.id == service.id for s in c.services.all())),
                target_minutes=targets.get(service.kind),
            )
        )
    return {
        "loads": loads,
        "counters": [(c, current.get(c.id)) for c in counters],
        "counters_open": len(open_counters),
        "officers_serving": sum(1 for t in current.values() if t.status == Ticket.Status.SERVING),
        "waiting_total": sum(load.waiting for load in loads),
    }


@dataclass
class OfficeLoad:
    """One office on the national overview: its services' loads now (waiting, longest wait,
    target; counters are not counted there)."""

    office: Office
    loads: list[ServiceLoad]

    @property
    def waiting(self) -> int:
        return sum(load.waiting for load in self.loads)

    @property
    def longest_wait_minutes(self) -> int:
        return max((load.longest_wait_minutes for load in self.loads), default=0)

    @property
    def over_target(self) -> list[ServiceLoad]:
        return [load for load in self.loads if load.over_target]

    def load(self, kind: str) -> ServiceLoad | None:
        """The office's service of `kind` (the overview's column), if it offers one."""
        return next((load for load in self.loads if load.service.kind == kind), None)


def queue_live_national(*, user, now=None) -> list[OfficeLoad]:
    """Every active office the user sees, with its active services' waiting tickets now, the
    longest wait and the target of the service's kind in force today: two queries whatever
    the number of offices (the services with their office and target, the waiting tickets
    counted per service)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    target = (
        ServiceTarget.objects.filter(kind=OuterRef("kind"), valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-valid_from")
        .values("minutes")[:1]
    )
    services = (
        office_scoped(Service.objects.filter(is_active=True, office__is_active=True), user)
        .select_related("office")
        .annotate(target=Subquery(target))
        .order_by("office__code", "sort_order", "prefix")
    )
    services = list(services)
    # By the offices shown: the index on (office, service day, status) serves each of them.
    office_ids = sorted({service.office_id for service in services})
    waiting = {
        row["service_id"]: row
        for row in Ticket.objects.filter(office_id__in=office_ids, status=Ticket.Status.WAITING, service_day=today)
        .values("service_id")
        .annotate(n=Count("id"), oldest=Min("queued_at"))
    }
    offices: dict[int, OfficeLoad] = {}
    for service in services:
        row = waiting.get(service.pk)
        oldest = row["oldest"] if row else None
        office = offices.setdefault(service.office_id, OfficeLoad(office=service.office, loads=[]))
        office.loads.append(
            ServiceLoad(
                service=service,
                waiting=row["n"] if row else 0,
                longest_wait_minutes=int((now - oldest).total_seconds() // 60) if oldest else 0,
                counters_open=0,
                target_minutes=service.target,
            )
        )
    return list(offices.values())


def board_state(*, office_id, recent: int = 8) -> dict:
    """What the display board shows: the current call at each counter, and the last calls."""
    current = (
        Ticket.objects.filter(office_id=office_id, status__in=OPEN)
        .select_related("service", "counter")
        .order_by("counter__number")
    )
    calls = (
        TicketCall.objects.filter(counter__office_id=office_id)
        .select_related("ticket__service", "counter")
        .order_by("-called_at")[:recent]
    )
    return {"current": list(current), "recent": list(calls)}


def board_waiting(*, office_id) -> list[dict]:
    """The board's line of waiting counts: each active service of the office with its tickets
    waiting today, in one query (the board is refreshed on every call of the office)."""
    today = timezone.localdate()
    services = (
        Service.objects.filter(office_id=office_id, is_active=True)
        .annotate(waiting=Count("tickets", filter=Q(tickets__status=Ticket.Status.WAITING, tickets__service_day=today)))
        .order_by("sort_order", "prefix")
    )
    return [{"service": service, "waiting": service.waiting} for service in services]


@dataclass
class ServiceTimeRow:
    service: Service
    visits: int
    average_minutes: float
    within_target: int
    target_minutes: int | None

    @property
    def within_target_share(self) -> float | None:
        return self.within_target / self.visits if self.visits and self.target_minutes else None


def service_time_report(*, office_id, day: datetime.date) -> list[ServiceTimeRow]:
    """Per service, the time from arrival to the end of service for tickets finished that day
    (a transferred visit counts at its last service), against the announced target."""
    rows = []
    for service in service_list(office_id=office_id, active_only=False):
        tickets = Ticket.objects.filter(
            service=service, service_day=day, status=Ticket.Status.DONE, started_at__isnull=False
        ).exclude(outcome=Ticket.Outcome.TRANSFERRED)
        durations = [(t.finished_at - t.visit.started_at).total_seconds() / 60 for t in tickets.select_related("visit")]
        target = service_target_minutes(service.kind, day)
        rows.append(
            ServiceTimeRow(
                service=service,
                visits=len(durations),
                average_minutes=sum(durations) / len(durations) if durations else 0.0,
                within_target=sum(1 for d in durations if target and d <= target),
                target_minutes=target,
            )
        )
    return rows


# --- The queue's measures, from the summary rows (QueueSummary) only ---------------------


@dataclass
class Histogram:
    """Durations in whole minutes rounded up: counts[b] of them over b - 1 and up to b
    minutes (the last, HISTOGRAM_CAP, every longer one). See QueueSummary."""

    counts: list[int]

    @property
    def n(self) -> int:
        return sum(self.counts)

    def percentile(self, percent: int) -> int | None:
        """The nearest-rank percentile, in minutes: the least m with at least percent% of the
        durations up to m minutes. Integer arithmetic: exact, not nearly."""
        n = self.n
        if not n:
            return None
        rank = max(1, (percent * n + 99) // 100)
        seen = 0
        for minutes, count in enumerate(self.counts):
            seen += count
            if seen >= rank:
                return minutes
        return len(self.counts) - 1

    def within(self, minutes: int) -> int:
        """How many took no longer than `minutes`."""
        return sum(self.counts[: minutes + 1])


@dataclass
class QueueMeasures:
    """The queue's figures of one group (an office, a service, a day, an hour...) over a range."""

    group: dict
    tickets: int = 0
    arrivals: int = 0
    served: int = 0
    documents_missing: int = 0
    no_shows: int = 0
    cancelled: int = 0
    transfers: int = 0
    targeted: int = 0  # visits of a service with a target
    within_target: int = 0
    waited: int = 0  # tickets called (each a wait)
    wait_seconds: int = 0
    wait_max: int = 0
    service_seconds: int = 0
    service_max: int = 0
    visit_seconds: int = 0
    visit_max: int = 0
    processed: int = 0  # visits whose case's step (receipt, claim) was done at the counter
    process_targeted: int = 0  # of them, of a service with a target
    process_within: int = 0
    process_seconds: int = 0
    process_max: int = 0
    wait: Histogram = field(default_factory=lambda: Histogram([]))
    service: Histogram = field(default_factory=lambda: Histogram([]))
    visit: Histogram = field(default_factory=lambda: Histogram([]))
    process: Histogram = field(default_factory=lambda: Histogram([]))

    @property
    def visits(self) -> int:
        """Visits ended with a service here (one served ticket each)."""
        return self.served

    @property
    def within_target_share(self) -> float | None:
        """Of the visits of services with a target, the share within it."""
        return self.within_target / self.targeted if self.targeted else None

    @staticmethod
    def _average(seconds: int, n: int) -> float | None:
        return round(seconds / n / 60, 1) if n else None

    @property
    def wait_average(self) -> float | None:
        return self._average(self.wait_seconds, self.waited)

    @property
    def service_average(self) -> float | None:
        return self._average(self.service_seconds, self.service.n)

    @property
    def visit_average(self) -> float | None:
        return self._average(self.visit_seconds, self.visit.n)

    @property
    def process_average(self) -> float | None:
        return self._average(self.process_seconds, self.process.n)

    @property
    def process_within_share(self) -> float | None:
        """Of the visits of services with a target that reached their case's step, the share
        within the target."""
        return self.process_within / self.process_targeted if self.process_targeted else None


# What a measure may be grouped by: its SQL over the summary or roll-up row `s` and its
# service `sv`.
MEASURE_GROUPS = {
    "office": "s.office_id",
    "service": "s.service_id",
    "kind": "sv.kind",
    "day": "s.day",
    "hour": "s.hour",
    "day_of_month": "extract(day FROM s.day)::int",
    "weekday": "extract(isodow FROM s.day)::int",
    "counter": "s.counter_id",
    "officer": "s.officer_id",
    "priority": "s.priority",
}
# The groups a month roll-up row answers (nothing of the day), and those only a roll-up by
# counter and officer (detail) or a summary row answers.
_MONTH_GROUPS = {"office", "service", "kind", "counter", "officer", "priority"}
_DETAIL_GROUPS = {"counter", "officer"}
_COUNTS = ("tickets", "arrivals", "served", "documents_missing", "no_shows", "cancelled", "transfers", "targeted",
           "within_target", "waited", "wait_seconds", "service_seconds", "visit_seconds", "processed",
           "process_targeted", "process_within", "process_seconds")  # fmt: skip
_MAXIMA = ("wait_max", "service_max", "visit_max", "process_max")
_HISTOGRAMS = ("wait", "service", "visit", "process")


def _measure_source(start: datetime.date, end: datetime.date, names: set[str]) -> tuple[str, str, dict]:
    """The rows that answer a measure grouped or narrowed by `names` over `start`..`end`: the
    table and the condition on it. An hour needs the summary rows (counts and sums only, no
    histogram); anything else reads the roll-ups (by counter and officer only when asked for
    them): the month rows of the range's whole months that have ended and been rolled up, the
    day rows of its other days."""
    if "hour" in names:
        return "queueing_queuesummary", "s.day BETWEEN %(start)s AND %(end)s", {"start": start, "end": end}
    values = {"start": start, "end": end, "detail": bool(names & _DETAIL_GROUPS), "months": []}
    if names <= _MONTH_GROUPS:
        ended, whole = month_first(timezone.localdate()), []
        month = month_first(start) if start.day == 1 else month_add(start, 1)
        while month < ended and month_add(month, 1) - datetime.timedelta(days=1) <= end:
            whole.append(month)
            month = month_add(month, 1)
        # Those rolled up (every office's at once: queue_summary_roll); a month not rolled up
        # since it ended (the nightly roll missed) is read from its days.
        if whole:
            with reports_connection().cursor() as cursor:
                cursor.execute(
                    "SELECT DISTINCT day FROM queueing_queuerollup WHERE span = 'month' AND detail AND day = ANY(%s)",
                    [whole],
                )
                values["months"] = sorted(day for (day,) in cursor.fetchall())
    condition = (
        "s.detail = %(detail)s AND ("
        "(s.span = 'month' AND s.day = ANY(%(months)s::date[])) OR "
        "(s.span = 'day' AND s.day BETWEEN %(start)s AND %(end)s"
        " AND date_trunc('month', s.day)::date <> ALL(%(months)s::date[])))"
    )
    return "queueing_queuerollup", condition, values


def queue_measures(
    *,
    start: datetime.date,
    end: datetime.date,
    office_ids=None,
    by: tuple[str, ...] = (),
    histograms: tuple[str, ...] = _HISTOGRAMS,
    **where,
) -> list[QueueMeasures]:
    """The queue's figures from `start` to `end` (both included) for the offices `office_ids`
    (None: every office), one QueueMeasures per group of `by` (names of MEASURE_GROUPS; none:
    one for everything), optionally narrowed by `where` (a group name = a value, e.g.
    service=3, priority=0), with the `histograms` asked for (the others stay empty: no
    percentiles or averages of them). Reads the roll-ups, or the summary rows for an hour
    (`_measure_source`), never the tickets: one query, whatever the range."""
    table, condition, values = _measure_source(start, end, {*by, *where})
    if table == "queueing_queuesummary" and histograms:
        raise ValueError("A measure by the hour has no histograms: ask for histograms=().")
    conditions = [condition]
    if office_ids is not None:
        conditions.append("s.office_id = ANY(%(offices)s)")
        values["offices"] = list(office_ids)
    for name, value in where.items():
        conditions.append(f"{MEASURE_GROUPS[name]} = %(w_{name})s")
        values[f"w_{name}"] = value
    groups = [MEASURE_GROUPS[name] for name in by]
    select = ", ".join(
        [
            *groups,
            *(f"coalesce(sum(s.{name}), 0)" for name in _COUNTS),
            *(f"coalesce(max(s.{name}), 0)" for name in _MAXIMA),
            *(f"queue_histogram_sum(s.{name}_hist)" for name in histograms),
        ]
    )
    group_by = f"GROUP BY {', '.join(str(i + 1) for i in range(len(groups)))}" if groups else ""
    sql = (
        f"SELECT {select} FROM {table} s JOIN queueing_service sv ON sv.id = s.service_id "
        f"WHERE {' AND '.join(conditions)} {group_by}"
    )
    with reports_connection().cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    width, numbers = len(groups), len(_COUNTS) + len(_MAXIMA)
    measures = []
    for row in rows:
        if not groups and not row[width]:
            return []  # no tickets at all
        key, figures, hists = row[:width], row[width : width + numbers], row[width + numbers :]
        m = QueueMeasures(
            group=dict(zip(by, key, strict=True)),
            **dict(zip(_COUNTS + _MAXIMA, (int(v) for v in figures), strict=True)),
        )
        for name, counts in zip(histograms, hists, strict=True):
            getattr(m, name).counts = list(counts or [])
        measures.append(m)
    return measures


@dataclass
class RepeatVisits:
    """Of an office's visits for a service that ended with documents missing, those whose
    customer came back for the same kind of service within REPEAT_DAYS."""

    office_id: int
    service_id: int
    documents_missing: int
    came_back: int

    @property
    def share(self) -> float | None:
        return self.came_back / self.documents_missing if self.documents_missing else None


# A return counts when its day is at most this many days after the visit's.
REPEAT_DAYS = 30

# The offices' tickets of the days that ended with documents missing (ticket_office_day_status)
# and, for each, whether its customer took a ticket for the same kind of service, at any office
# (a person is national), in another visit after it and within REPEAT_DAYS days
# (ticket_customer_day: the customer's tickets by day). Tickets without a customer reference
# cannot be followed.
_REPEAT_SQL = """
SELECT t.office_id, t.service_id, count(*),
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM queueing_ticket r JOIN queueing_service rs ON rs.id = r.service_id
           WHERE r.customer_ref = t.customer_ref AND r.customer_kind = t.customer_kind AND r.customer_ref <> ''
             AND r.service_day BETWEEN t.service_day AND t.service_day + %(days)s
             AND rs.kind = s.kind AND r.visit_id <> t.visit_id AND (r.issued_at, r.id) > (t.issued_at, t.id)))
FROM queueing_ticket t
JOIN queueing_service s ON s.id = t.service_id
WHERE t.office_id = ANY(%(offices)s) AND t.service_day BETWEEN %(start)s AND %(end)s
  AND t.outcome = 'documents_missing' AND t.customer_ref <> ''
GROUP BY t.office_id, t.service_id
ORDER BY t.office_id, t.service_id
"""


def repeat_visits(*, start: datetime.date, end: datetime.date, office_ids) -> list[RepeatVisits]:
    """Per office and service, the visits from `start` to `end` that ended with documents
    missing and of them those whose customer (the same kind and reference) took a ticket for
    the same kind of service at any office within REPEAT_DAYS days after (a later day or the
    same day's later visit). One query: an index probe per such visit."""
    values = {"offices": list(office_ids), "start": start, "end": end, "days": REPEAT_DAYS}
    with reports_connection().cursor() as cursor:
        cursor.execute(_REPEAT_SQL, values)
        return [RepeatVisits(*row) for row in cursor.fetchall()]


def service_targets_on(day: datetime.date) -> dict[str, int]:
    """The announced target (minutes) of each kind of service valid on `day`, in one query."""
    targets = {}
    for target in (
        ServiceTarget.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("kind", "-valid_from")
    ):
        targets.setdefault(target.kind, target.minutes)
    return targets


def ticket_list(*, office_id):
    """An office's tickets, newest day first, with what the ticket list shows of each (the
    wait and the service in whole minutes, rounded up like the reports')."""
    minutes = "CEIL(EXTRACT(EPOCH FROM %(expressions)s) / 60)"
    return (
        Ticket.objects.filter(office_id=office_id)
        .select_related("service", "counter", "officer")
        .annotate(
            wait_minutes=Func(F("first_called_at") - F("issued_at"), template=minutes, output_field=IntegerField()),
            service_minutes=Func(F("finished_at") - F("started_at"), template=minutes, output_field=IntegerField()),
        )
        .order_by("-service_day", "-issued_at", "-id")
    )


def rating_counts(*, start: datetime.date, end: datetime.date, office_ids=None) -> list[dict]:
    """The customers' ratings of the days from `start` to `end` (the tickets' days), counted
    per office, service, officer and score: one query, small enough for the primary."""
    from queueing.models import Rating

    ratings = Rating.objects.filter(day__gte=start, day__lte=end)
    if office_ids is not None:
        ratings = ratings.filter(office_id__in=office_ids)
    return list(ratings.values("office_id", "service_id", "officer_id", "score").annotate(n=Count("id")).order_by())
