"""A discrete-event simulation of an office's day (SimPy), replicated.

What it models, as the queue works (queueing/sql/queue_call_next.sql):

- counters, each serving its services from its opening to its closing time; a counter that
  closes with the office keeps calling while tickets of its services wait (the day's queue is
  served to its end);
- a free counter calls the head of the waiting tickets of its services: priority tickets
  first, then in the order their place was taken (a transfer keeps its visit's start), then
  by issue (first come, first served);
- a called customer walks to the counter (the office's recorded walk-up time) and is served
  for a time drawn from the service's recorded histogram of service times (whole minutes,
  uniform within the minute: the distribution, not its average);
- a ticket is a no-show (the counter waits the recorded time, then calls the next), is given
  up (cancelled) after the recorded patience if not called by then, or is transferred to
  another service after its service (a new ticket keeping the visit's place), at the
  recorded rates.

Arrivals are either a rate per service and hour (a forecast: Poisson within the hour) or a
recorded list (the validation). Each replication draws its own arrivals and times from a
seeded generator, so a run is reproducible. The results, per service and hour of issue, are
those of the reports: the wait from issue to first call, its percentiles over all
replications' tickets (whole minutes, rounded up), the share of the visits of a service with
a target within it (from the visit's start to its served ticket's end), the people waiting
(time average) and the counters' utilisation.
"""

import bisect
import heapq
import itertools
import math
import random
import time
from dataclasses import dataclass, field

import simpy

from queueing.models import HISTOGRAM_CAP
from queueing.selectors import Histogram

HOUR = 3600.0


@dataclass(frozen=True)
class CounterPlan:
    """A counter as simulated: the services it serves and its hours (seconds since midnight)."""

    number: int
    services: tuple[int, ...]
    opens: float
    closes: float
    stays: bool = True  # keeps calling after `closes` while its services' tickets wait


@dataclass
class ServiceModel:
    """One service's behaviour: its service times (a histogram of whole minutes) and rates."""

    service_id: int
    service_hist: list[int]
    target_minutes: int | None = None
    priority_share: float = 0.0
    no_show: float = 0.0
    cancel: float = 0.0
    transfer: float = 0.0
    _buckets: list[int] = field(default_factory=list, repr=False)
    _cumulative: list[float] = field(default_factory=list, repr=False)

    def __post_init__(self):
        self._buckets = [b for b, n in enumerate(self.service_hist) if n]
        running = 0.0
        for b in self._buckets:
            running += self.service_hist[b]
            self._cumulative.append(running)

    def draw_seconds(self, rng: random.Random) -> float:
        """A service time from the histogram: its minute by weight, uniform within it."""
        if not self._buckets:
            return 0.0
        b = self._buckets[bisect.bisect_right(self._cumulative, rng.random() * self._cumulative[-1])]
        return 30.0 * rng.random() if b == 0 else (b - 1 + rng.random()) * 60.0


@dataclass
class DayModel:
    """An office's day to simulate."""

    counters: list[CounterPlan]
    services: dict[int, ServiceModel]
    walkup_seconds: float = 0.0
    no_show_seconds: float = 120.0
    patience_seconds: float = 1800.0
    # Where transfers go: the services' shares of the transfers received.
    transfer_to: dict[int, float] = field(default_factory=dict)


@dataclass
class Cell:
    """The simulated figures of one service and hour of issue, over every replication."""

    tickets: int = 0
    wait_seconds: float = 0.0
    wait_hist: list[int] = field(default_factory=lambda: [0] * (HISTOGRAM_CAP + 1))
    targeted: int = 0
    within: int = 0
    waiting_seconds: float = 0.0  # person-seconds spent waiting within the hour
    unserved: int = 0  # never called: no counter of the service was open for them


@dataclass
class SimulationResult:
    replications: int
    cells: dict[tuple[int, int], Cell]
    busy: dict[int, float]  # hour -> counter-seconds busy, over all replications
    open: dict[int, float]  # hour -> counter-seconds open
    day_within: list[float | None]  # each replication's share within the standard
    day_p90: list[int | None]  # each replication's p90 wait (minutes)
    seconds: float  # how long the run took
    # service -> each replication's (visits with a target, of them within it, tickets never called)
    service_days: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)

    def _sum(self, cells) -> Cell:
        out = Cell()
        for c in cells:
            out.tickets += c.tickets
            out.wait_seconds += c.wait_seconds
            out.targeted += c.targeted
            out.within += c.within
            out.waiting_seconds += c.waiting_seconds
            out.unserved += c.unserved
            for b, n in enumerate(c.wait_hist):
                if n:
                    out.wait_hist[b] += n
        return out

    def day(self) -> Cell:
        return self._sum(self.cells.values())

    def service(self, service_id: int) -> Cell:
        return self._sum(c for (s, _h), c in self.cells.items() if s == service_id)

    def hour(self, hour: int) -> Cell:
        return self._sum(c for (_s, h), c in self.cells.items() if h == hour)

    def figures(self, cell: Cell) -> dict:
        """A cell's figures per replication: tickets, the average and p50/p90 wait (minutes),
        the share within the standard, people waiting on average over the hour."""
        hist = Histogram(_trimmed(cell.wait_hist))
        called = hist.n
        return {
            "tickets": cell.tickets / self.replications,
            "wait_average": cell.wait_seconds / called / 60 if called else None,
            "wait_p50": hist.percentile(50),
            "wait_p90": hist.percentile(90),
            "within_share": cell.within / cell.targeted if cell.targeted else None,
            "waiting": cell.waiting_seconds / HOUR / self.replications,
            "unserved": cell.unserved / self.replications,
        }

    def utilisation(self, hour: int | None = None) -> float | None:
        hours = [hour] if hour is not None else list(self.open)
        open_seconds = sum(self.open.get(h, 0.0) for h in hours)
        return sum(self.busy.get(h, 0.0) for h in hours) / open_seconds if open_seconds else None


def _trimmed(counts: list[int]) -> list[int]:
    end = len(counts)
    while end and not counts[end - 1]:
        end -= 1
    return counts[:end]


def _spread(intervals_into: dict[int, float], start: float, end: float) -> None:
    """Add the seconds of [start, end) to the hours they fall in."""
    while start < end:
        hour = int(start // HOUR)
        stop = min(end, (hour + 1) * HOUR)
        intervals_into[hour] = intervals_into.get(hour, 0.0) + stop - start
        start = stop


class _Ticket:
    __slots__ = ("service", "issued", "queued", "priority", "visit_start", "fate", "gives_up", "called", "seq", "hold")

    def __init__(self, service, issued, queued, priority, fate, gives_up, seq, hold):
        self.service = service
        self.issued = issued
        self.queued = queued
        self.priority = priority
        self.visit_start = queued
        self.fate = fate  # 'served', 'no_show', 'cancel', 'transfer'
        self.gives_up = gives_up  # when a 'cancel' leaves if still waiting
        self.called = None
        self.seq = seq
        self.hold = hold  # its time at the counter once called


def _fate(model: ServiceModel, rng: random.Random) -> str:
    r = rng.random()
    if r < model.no_show:
        return "no_show"
    r -= model.no_show
    if r < model.cancel:
        return "cancel"
    r -= model.cancel
    return "transfer" if r < model.transfer else "served"


class _Day:
    """One replication."""

    def __init__(self, model: DayModel, arrivals: list[tuple[float, int, int]], rng: random.Random, result):
        self.model, self.rng, self.result = model, rng, result
        self.env = simpy.Environment()
        # The new visits' fates and times come from a stream of their own, drawn in the order
        # they arrive: two plans simulated with one seed meet the same customers (common
        # random numbers), so the difference between them is the plans', not chance's.
        self.visit_rng = random.Random(rng.random())
        self.working: dict[int, simpy.Event] = {}  # counter number -> serving now (ends when done)
        self.waiting: dict[int, list] = {s: [] for s in model.services}
        self.idle: list = []  # counters waiting for a ticket: (plan, event)
        self.seq = itertools.count()
        self.tickets: list[_Ticket] = []
        self.arriving = True
        self.serving = 0  # counters serving now (a transfer may still come of them)
        self.left: dict[int, float] = {}  # counter number -> when it stopped calling
        self.visits: dict[int, list[int]] = {}  # service -> [visits with a target, within it]
        self.transfer_services = list(model.transfer_to)
        self.transfer_weights = list(itertools.accumulate(model.transfer_to.values()))
        self.env.process(self._arrive(arrivals))
        for plan in model.counters:
            self.env.process(self._counter(plan))

    def _ticket(self, service_id, issued, queued, priority, rng=None) -> _Ticket:
        rng = rng or self.rng
        model = self.model.services[service_id]
        fate = _fate(model, rng)
        gives_up = issued + rng.expovariate(1 / self.model.patience_seconds) if fate == "cancel" else math.inf
        hold = self.model.no_show_seconds if fate == "no_show" else self.model.walkup_seconds + model.draw_seconds(rng)
        ticket = _Ticket(service_id, issued, queued, priority, fate, gives_up, next(self.seq), hold)
        self.tickets.append(ticket)
        heapq.heappush(self.waiting[service_id], (priority, queued, ticket.seq, ticket))
        # Wake the first idle counter serving it.
        for i, (plan, event) in enumerate(self.idle):
            if service_id in plan.services:
                del self.idle[i]
                event.succeed()
                break
        return ticket

    def _arrive(self, arrivals):
        env = self.env
        for at, service_id, priority in arrivals:
            if at > env.now:
                yield env.timeout(at - env.now)
            self._ticket(service_id, env.now, env.now, priority, self.visit_rng)
        self.arriving = False
        self._wake_all()

    def _wake_all(self) -> None:
        for _plan, event in self.idle:
            event.succeed()
        self.idle = []

    def _next(self, plan: CounterPlan, now: float):
        best = None
        for service_id in plan.services:
            queue = self.waiting.get(service_id)
            while queue and queue[0][3].gives_up <= now:
                heapq.heappop(queue)  # gave up before being called
            if queue and (best is None or queue[0] < best[0]):
                best = (queue[0], queue)
        if best is None:
            return None
        return heapq.heappop(best[1])[3]

    def _counter(self, plan: CounterPlan):
        env, rng = self.env, self.rng
        if plan.opens > env.now:
            yield env.timeout(plan.opens - env.now)
        # A counter changing its services by the hour is one plan per stretch: the next
        # stretch starts once the previous one's customer has been served.
        while plan.number in self.working:
            yield self.working[plan.number]
        busy = self.result.busy
        while True:
            now = env.now
            ticket = self._next(plan, now) if (now < plan.closes or plan.stays) else None
            if ticket is None:
                # After closing, a counter that stays waits while tickets may still come: new
                # arrivals, or transfers from a counter still serving.
                if now >= plan.closes and not (plan.stays and (self.arriving or self.serving)):
                    self.left[plan.number] = now
                    return
                event = env.event()
                self.idle.append((plan, event))
                if now < plan.closes:
                    yield event | env.timeout(plan.closes - now)
                    if not event.triggered:
                        self.idle = [(p, e) for p, e in self.idle if e is not event]
                else:
                    yield event
                continue
            ticket.called = now
            if ticket.fate == "cancel":
                ticket.fate = "served"  # called before giving up: served like anyone
            self.serving += 1
            done = self.working[plan.number] = env.event()
            yield env.timeout(ticket.hold)
            del self.working[plan.number]
            done.succeed()
            self.serving -= 1
            _spread(busy, now, env.now)
            if ticket.fate == "transfer" and self.transfer_services:
                pick = rng.random() * self.transfer_weights[-1]
                onward = self.transfer_services[bisect.bisect_right(self.transfer_weights, pick)]
                if onward == ticket.service and len(self.transfer_services) > 1:
                    onward = self.transfer_services[
                        (self.transfer_services.index(onward) + 1) % len(self.transfer_services)
                    ]
                self._ticket(onward, env.now, ticket.visit_start, ticket.priority).visit_start = ticket.visit_start
            elif ticket.fate == "served":
                self._visit_end(ticket, env.now)
            if not self.serving and not self.arriving and env.now >= plan.closes:
                self._wake_all()  # nothing more can come: the counters still waiting go

    def _visit_end(self, ticket: _Ticket, now: float) -> None:
        target = self.model.services[ticket.service].target_minutes
        if target is not None:
            cell = self._cell(ticket)
            cell.targeted += 1
            counted = self.visits.setdefault(ticket.service, [0, 0])
            counted[0] += 1
            if math.ceil((now - ticket.visit_start) / 60) <= target:
                cell.within += 1
                counted[1] += 1

    def _cell(self, ticket: _Ticket) -> Cell:
        key = (ticket.service, int(ticket.issued // HOUR))
        cell = self.result.cells.get(key)
        if cell is None:
            cell = self.result.cells[key] = Cell()
        return cell

    def run(self) -> list[int]:
        """Run the day; its waits (whole minutes, rounded up) in a histogram."""
        self.env.run()
        end = self.env.now
        waits = [0] * (HISTOGRAM_CAP + 1)
        days = self.result.service_days
        for service_id in self.model.services:
            days.setdefault(service_id, []).append((0, 0, 0))
        for service_id, (targeted, within) in self.visits.items():
            days[service_id][-1] = (targeted, within, 0)
        for ticket in self.tickets:
            cell = self._cell(ticket)
            cell.tickets += 1
            if ticket.called is not None:
                wait = ticket.called - ticket.issued
                cell.wait_seconds += wait
                bucket = min(HISTOGRAM_CAP, math.ceil(wait / 60))
                cell.wait_hist[bucket] += 1
                waits[bucket] += 1
                left = ticket.called
            elif ticket.gives_up < math.inf:
                left = ticket.gives_up
            else:
                cell.unserved += 1
                targeted, within, unserved = days[ticket.service][-1]
                days[ticket.service][-1] = (targeted, within, unserved + 1)
                left = end
            hours: dict[int, float] = {}
            _spread(hours, ticket.issued, max(ticket.issued, left))
            for hour, seconds in hours.items():
                self.result.cells.setdefault((ticket.service, hour), Cell()).waiting_seconds += seconds
        return waits


def _poisson_arrivals(rates: dict[tuple[int, int], float], model: DayModel, rng: random.Random, starts: float):
    """Arrivals at the forecast rates: Poisson within each hour, from the office's opening."""
    arrivals = []
    for (service_id, hour), expected in rates.items():
        if expected <= 0 or service_id not in model.services:
            continue
        begin = max(hour * HOUR, starts)
        end = (hour + 1) * HOUR
        if end <= begin:
            continue
        rate = expected / (end - begin)
        priority_share = model.services[service_id].priority_share
        t = begin + rng.expovariate(rate)
        while t < end:
            arrivals.append((t, service_id, 0 if rng.random() < priority_share else 1))
            t += rng.expovariate(rate)
    arrivals.sort()
    return arrivals


def simulate(
    model: DayModel,
    *,
    rates: dict[tuple[int, int], float] | None = None,
    arrivals: list[tuple[float, int, int]] | None = None,
    replications: int = 200,
    seed: int = 0,
) -> SimulationResult:
    """Simulate the day `replications` times: with Poisson arrivals at `rates` (expected
    arrivals per (service_id, hour)) or with the recorded `arrivals` ((seconds since
    midnight, service_id, priority), each replication drawing only the times and fates)."""
    started = time.monotonic()
    result = SimulationResult(
        replications=replications, cells={}, busy={}, open={}, day_within=[], day_p90=[], seconds=0.0
    )
    opens = min((c.opens for c in model.counters), default=0.0)
    for replication in range(replications):
        rng = random.Random(seed * 1_000_003 + replication)
        day_arrivals = arrivals if arrivals is not None else _poisson_arrivals(rates or {}, model, rng, opens)
        before = sum(c.targeted for c in result.cells.values()), sum(c.within for c in result.cells.values())
        day = _Day(model, day_arrivals, rng, result)
        waits = day.run()
        result.day_p90.append(Histogram(waits).percentile(90))
        targeted = sum(c.targeted for c in result.cells.values()) - before[0]
        within = sum(c.within for c in result.cells.values()) - before[1]
        result.day_within.append(within / targeted if targeted else None)
        for plan in model.counters:
            left = day.left.get(plan.number, plan.closes) if plan.stays else plan.closes
            _spread(result.open, plan.opens, max(plan.closes, left))
    result.seconds = time.monotonic() - started
    return result
