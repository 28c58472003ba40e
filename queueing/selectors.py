"""Reads of the walk-in queue: what a counter holds, who waits, the board, service times."""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, F, Min, Q
from django.utils import timezone

from queueing.models import Counter, Service, ServiceTarget, Ticket, TicketCall
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


def queue_live(*, office_id, now=None) -> dict:
    """The supervisor's live view: waiting per service, longest wait, counters and officers."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    services = list(service_list(office_id=office_id))
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
                target_minutes=service_target_minutes(service.kind, today),
            )
        )
    return {
        "loads": loads,
        "counters": [(c, current.get(c.id)) for c in counters],
        "counters_open": len(open_counters),
        "officers_serving": sum(1 for t in current.values() if t.status == Ticket.Status.SERVING),
        "waiting_total": sum(load.waiting for load in loads),
    }


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
