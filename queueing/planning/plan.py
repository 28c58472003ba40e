"""A plan of the office's counters for a day: which counters are open in each hour and the
services each serves then, checked against the service standards by simulation, and the
search for the fewest counter-hours that meet them.

A plan is a list of shifts, (counter number, services, opens, closes) in seconds since
midnight, stored as JSON ({"number", "services", "opens", "closes"}). The standard a plan
must meet is the supervisor's: in at least `confidence` of the replications, every service
with a target has at least `share` of its visits within it, and no ticket of any service is
left uncalled (a service without a counter open after its arrivals fails).

The search (marginal analysis, `plan_search`): it starts from each hour's least counters
(the hour's work over a counter's hour, every service with arrivals covered), then, while a
service fails, tries one more counter-hour in that service's worst hour and the hour before
(each closed counter with its own services, or serving that service alone) and keeps the one
that helps most; then it closes, one at a time, the counter-hours the standard does without.
Candidates are screened with few replications, all with one seed (common random numbers:
the same customers meet each plan); the plan found is confirmed with the full replications,
and more counter-hours are added at full replications while the confirmation fails.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from queueing.planning.simulation import HOUR, CounterPlan, DayModel, SimulationResult, simulate


@dataclass(frozen=True)
class Standard:
    """What a plan must meet: `share` of a service's visits within its target, in at least
    `confidence` of the replications (both between 0 and 1)."""

    share: float = 0.9
    confidence: float = 0.9


@dataclass(frozen=True)
class Shift:
    """A counter open from `opens` to `closes` (seconds since midnight) serving `services`."""

    number: int
    services: tuple[int, ...]
    opens: float
    closes: float

    def as_json(self) -> dict:
        return {"number": self.number, "services": list(self.services), "opens": self.opens, "closes": self.closes}

    @classmethod
    def from_json(cls, data: dict) -> "Shift":
        return cls(int(data["number"]), tuple(sorted(int(s) for s in data["services"])), data["opens"], data["closes"])


def hour_blocks(opens: float, closes: float) -> list[int]:
    """The hours the office is open in (08:30-16:30: 8 to 16)."""
    return list(range(int(opens // HOUR), math.ceil(closes / HOUR)))


def counter_hours(shifts: list[Shift]) -> float:
    return sum(s.closes - s.opens for s in shifts) / HOUR


def shifts_counters(shifts: list[Shift], closes: float) -> list[CounterPlan]:
    """The simulation's counters: a counter's last shift, if it ends with the office, serves
    its queue to the end; a shift ending earlier finishes its customer and stops calling."""
    last: dict[int, float] = {}
    for s in shifts:
        last[s.number] = max(last.get(s.number, 0.0), s.closes)
    return [
        CounterPlan(s.number, s.services, s.opens, s.closes, stays=s.closes >= closes and s.closes == last[s.number])
        for s in sorted(shifts, key=lambda s: (s.number, s.opens))
    ]


def grid_shifts(grid: dict[tuple[int, int], tuple[int, ...]], opens: float, closes: float) -> list[Shift]:
    """{(counter number, hour): services} as shifts: a counter's consecutive hours serving the
    same services are one shift, within the office's hours."""
    shifts = []
    for number in sorted({n for n, _h in grid}):
        current = None
        for hour in hour_blocks(opens, closes):
            services = grid.get((number, hour))
            start, end = max(hour * HOUR, opens), min((hour + 1) * HOUR, closes)
            if current and services == current[0] and current[2] == start:
                current[2] = end
                continue
            if current:
                shifts.append(Shift(number, current[0], current[1], current[2]))
            current = [services, start, end] if services else None
        if current:
            shifts.append(Shift(number, current[0], current[1], current[2]))
    return shifts


def shifts_grid(shifts: list[Shift]) -> dict[tuple[int, int], tuple[int, ...]]:
    grid = {}
    for s in shifts:
        for hour in hour_blocks(s.opens, s.closes):
            grid[(s.number, hour)] = s.services
    return grid


# A service expected this many visits in an hour (or more) needs a counter open for them.
VISITS_NEEDING_A_COUNTER = 0.5


def uncovered(shifts: list[Shift], rates, opens: float) -> list[tuple[int, int, float]]:
    """The (service, hour, expected visits) of the forecast that no shift serving the service
    is open at or after: visits nobody would call."""
    out = []
    for (service_id, hour), expected in sorted(rates.items(), key=lambda item: (item[0][1], item[0][0])):
        if expected < VISITS_NEEDING_A_COUNTER:
            continue
        start = max(hour * HOUR, opens)
        if not any(service_id in s.services and s.closes > start for s in shifts):
            out.append((service_id, hour, expected))
    return out


@dataclass
class ServiceCheck:
    """How one service fares under a plan, over the replications."""

    service_id: int
    target: int | None
    within: float | None  # the share of its visits within the target, all replications
    met: float  # the share of replications meeting the standard (and leaving none uncalled)
    shortfall: float  # the average, over replications, of the share missing (and the uncalled)
    unserved: float  # tickets never called, per replication
    meets: bool


@dataclass
class PlanCheck:
    """A plan simulated: each service's check and whether all meet the standard."""

    services: dict[int, ServiceCheck]
    meets: bool
    shortfall: float
    result: SimulationResult


def plan_check(
    model: DayModel, shifts: list[Shift], rates, *, standard: Standard, closes: float, replications: int, seed: int = 0
) -> PlanCheck:
    """Simulate `shifts` with the forecast `rates` and check each service against the standard."""
    day = DayModel(
        counters=shifts_counters(shifts, closes),
        services=model.services,
        walkup_seconds=model.walkup_seconds,
        no_show_seconds=model.no_show_seconds,
        patience_seconds=model.patience_seconds,
        transfer_to=model.transfer_to,
    )
    result = simulate(day, rates=rates, replications=replications, seed=seed)
    arriving = {s for (s, _h), n in rates.items() if n > 0}
    services, total = {}, 0.0
    for service_id, days in result.service_days.items():
        if service_id not in arriving and not any(t or u for t, _w, u in days):
            continue
        target = model.services[service_id].target_minutes
        met, short, targeted_all, within_all, unserved_all = 0, 0.0, 0, 0, 0
        for targeted, within, unserved in days:
            # The standard's share of a replication's visits, rounded down: of 6 visits, 5
            # (a small service's one slow visit is not a day missed).
            needed = math.floor(standard.share * targeted + 1e-9)
            missing = max(0.0, needed - within) / targeted if target is not None and targeted else 0.0
            ok = unserved == 0 and missing == 0.0
            met += ok
            short += missing + unserved / max(1, targeted + unserved)
            targeted_all += targeted
            within_all += within
            unserved_all += unserved
        n = len(days) or 1
        check = ServiceCheck(
            service_id=service_id,
            target=target,
            within=within_all / targeted_all if targeted_all and target is not None else None,
            met=met / n,
            shortfall=short / n,
            unserved=unserved_all / n,
            meets=met / n >= standard.confidence - 1e-9,
        )
        services[service_id] = check
        total += check.shortfall + max(0.0, standard.confidence - check.met)
    # A service the model has no figures for is not simulated: a plan must still open a
    # counter for its expected visits.
    opens = min((s.opens for s in shifts), default=0.0)
    for service_id, _hour, expected in uncovered(shifts, rates, opens):
        check = services.get(service_id)
        if check is None:
            model_service = model.services.get(service_id)
            check = services[service_id] = ServiceCheck(
                service_id, model_service.target_minutes if model_service else None, None, 0.0, 0.0, 0.0, False
            )
        check.meets, check.met = False, 0.0
        check.unserved += expected
        check.shortfall += 1.0
        total += 1.0
    return PlanCheck(services=services, meets=all(c.meets for c in services.values()), shortfall=total, result=result)


def _mean_service_seconds(model: DayModel, service_id: int) -> float:
    hist = model.services[service_id].service_hist
    n = sum(hist)
    if not n:
        return model.walkup_seconds
    mean = sum(count * (0.25 if b == 0 else b - 0.5) for b, count in enumerate(hist)) / n
    return model.walkup_seconds + 60 * mean


# How busy the starting plan keeps a service's counters: a queue of many short services
# stays within a standard of 30-45 minutes up to about this.
START_UTILISATION = 0.8
# Closing counter-hours stops in an hour after this many tries that miss the standard.
PRUNE_FAILURES = 2


def plan_start(
    model: DayModel, rates, counters: list[tuple[int, tuple[int, ...]]], opens: float, closes: float
) -> dict[tuple[int, int], tuple[int, ...]]:
    """Each hour's counters to start from: every service arriving that hour has counters for
    its work (its arrivals' service time over the hour, kept START_UTILISATION busy): the
    office's counters serving it first, with their services, then spare desks (counters of
    no services) for it alone."""
    grid = {}
    for hour in hour_blocks(opens, closes):
        seconds = min((hour + 1) * HOUR, closes) - max(hour * HOUR, opens)
        if seconds <= 0:
            continue
        load = {s: n * _mean_service_seconds(model, s) / seconds for (s, h), n in rates.items() if h == hour and n > 0}
        free = list(counters)

        def capacity(service, hour=hour, load=load):
            """The counters' time given to `service` this hour: a shared counter's goes to
            its services in proportion to their work."""
            given = 0.0
            for (_number, h), served in grid.items():
                if h == hour and service in served:
                    given += load[service] / (sum(load.get(s, 0.0) for s in served) or 1.0)
            return given

        for service in sorted(load, key=lambda s: -load[s]):
            while capacity(service) * START_UTILISATION < load[service]:
                own = [c for c in free if service in c[1]]
                spare = [c for c in free if not c[1]]
                pick = own[0] if own else (spare[0] if spare else None)
                if pick is None:
                    break
                free.remove(pick)
                grid[(pick[0], hour)] = pick[1] or (service,)
    return grid


@dataclass
class PlanSearch:
    """The search's answer: the plan, its check at full replications, and how it was found."""

    shifts: list[Shift]
    check: PlanCheck
    evaluations: int
    seconds: float
    steps: list[str] = field(default_factory=list)


def plan_search(
    model: DayModel,
    rates,
    *,
    counters: list[tuple[int, tuple[int, ...]]],
    opens: float,
    closes: float,
    standard: Standard,
    screen_replications: int = 40,
    replications: int = 200,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
    max_steps: int = 200,
) -> PlanSearch:
    """The fewest counter-hours of the office's `counters` ((number, services) each; a
    counter of no services is a spare desk, opened for one service) meeting `standard` on
    the forecast `rates` (see the module's docstring)."""
    started = time.monotonic()
    evaluations = 0
    hours = hour_blocks(opens, closes)

    def check(grid, reps):
        nonlocal evaluations
        evaluations += 1
        shifts = grid_shifts(grid, opens, closes)
        return plan_check(model, shifts, rates, standard=standard, closes=closes, replications=reps, seed=seed)

    def places(checked: PlanCheck, grid):
        """Where a counter-hour may help, most first: each failing service's hours (of
        arrival, and the hour before) by the visits they missed and the waiting."""
        failing = {c.service_id for c in checked.services.values() if not c.meets}
        misses = {}
        for (s, h), cell in checked.result.cells.items():
            if s in failing and h in hours:
                missed = (cell.targeted - cell.within) + cell.unserved + cell.waiting_seconds / HOUR
                for hh, weight in ((h, 1.0), (h - 1, 0.5)):
                    if hh in hours:
                        misses[(s, hh)] = misses.get((s, hh), 0.0) + weight * missed
        for s, h, expected in uncovered(grid_shifts(grid, opens, closes), rates, opens):
            misses[(s, h)] = misses.get((s, h), 0.0) + 1000 * expected  # no counter at all: first
        return sorted(misses, key=lambda key: (-misses[key], key))

    def candidates(grid, service, hour):
        """One counter-hour of each kind: a closed counter of the office opened with its
        services, a spare desk opened for the service, an open counter given it too."""
        kinds = {}
        for number, served in counters:
            now = grid.get((number, hour))
            if now is None and served and service in served:
                kinds.setdefault("open", (number, served, True))
            elif now is None and not served:
                kinds.setdefault("spare", (number, (service,), True))
            elif now is not None and service not in now:
                kinds.setdefault("share", (number, tuple(sorted({*now, service})), False))
        return [(number, hour, option, opened) for number, option, opened in kinds.values()]

    def grow(grid, checked, reps, limit, tries=3):
        steps = 0
        while not checked.meets and steps < limit:
            best = None
            for service, hour in places(checked, grid)[:tries]:
                for number, h, option, opened in candidates(grid, service, hour):
                    trial = {**grid, (number, h): option}
                    tried = check(trial, reps)
                    # Opening costs a counter-hour, moving does not: a move is kept at equal help.
                    key = (tried.shortfall, opened)
                    if best is None or key < best[0]:
                        best = (key, trial, tried, f"{'+' if opened else '~'}{number}@{h}:{option}")
                if best is not None and best[2].shortfall < checked.shortfall:
                    break  # this place helps: take it
            if best is None or best[2].shortfall >= checked.shortfall:
                break  # nothing left to open or move helps: the office's counters cannot meet it
            grid, checked = best[1], best[2]
            log.append(best[3])
            steps += 1
            if progress:
                progress(min(0.6, 0.1 + 0.01 * steps))
        return grid, checked

    log: list[str] = []
    grid = plan_start(model, rates, counters, opens, closes)
    checked = check(grid, screen_replications)
    grid, checked = grow(grid, checked, screen_replications, max_steps)
    # Close what the standard does without: hour by hour, the least busy first, a spare desk
    # before the office's own counters; an hour is left once closing fails there twice.
    if checked.meets:
        busy = {h: checked.result.utilisation(h) or 0.0 for h in hours}
        order = sorted(hours, key=lambda h: (busy.get(h, 0.0), h))
        for n, hour in enumerate(order):
            failures = 0
            for key in sorted((k for k in grid if k[1] == hour), key=lambda k: -k[0]):
                trial = {k: v for k, v in grid.items() if k != key}
                tried = check(trial, screen_replications)
                if tried.meets:
                    grid, checked = trial, tried
                    log.append(f"-{key[0]}@{key[1]}")
                else:
                    failures += 1
                    if failures >= PRUNE_FAILURES:
                        break
            if progress:
                progress(0.6 + 0.3 * (n + 1) / len(order))
    confirmed = check(grid, replications)
    grid, confirmed = grow(grid, confirmed, replications, 10)
    if progress:
        progress(1.0)
    return PlanSearch(
        shifts=grid_shifts(grid, opens, closes),
        check=confirmed,
        evaluations=evaluations,
        seconds=time.monotonic() - started,
        steps=log,
    )
