"""The simulation against reality: recorded days simulated with their actual arrivals (the
times, services and priority of every new visit's ticket) and the counters that actually
served (each from its first call), compared with what the summary rows measured that day:
the p50 and p90 wait (issue to first call, whole minutes) and the share of visits within
the standard. A single day's p90 varies by chance (one day is one draw of what the
replications draw 200 times): each day is shown with the replications' band, and the days
are pooled (all their waits and visits together) for the planner's error. A planner whose
past days together are off by more than ERROR_LIMIT says so."""

import datetime
import math
import statistics
from dataclasses import dataclass

from django.utils import timezone

from queueing.models import HISTOGRAM_CAP
from queueing.planning.office import CLOSES, OPENS, office_day_model
from queueing.planning.selectors import recorded_day, recorded_days
from queueing.planning.simulation import CounterPlan, simulate
from queueing.selectors import Histogram, queue_measures

ERROR_LIMIT = 0.15
# A wait's error is relative to the measured wait, or to this many minutes if that is less:
# 2 minutes off a p90 of 2 minutes is not 100% off for anyone waiting.
WAIT_FLOOR = 10
# A counter that first called within this long of the opening was open from the opening, one
# that last finished within this long of the closing stayed to the end of the queue.
SPAN_SLACK = 3600.0


@dataclass
class DayCheck:
    """One recorded day: measured and simulated figures (minutes; shares 0..1)."""

    day: datetime.date
    arrivals: int
    counters: int
    recorded_p50: int | None
    recorded_p90: int | None
    recorded_within: float | None
    simulated_p50: int | None
    simulated_p90: int | None
    simulated_within: float | None
    # The replications' p90 wait: the 5th and 95th percentile (a single day's p90 varies
    # that much by chance alone).
    simulated_p90_low: int | None
    simulated_p90_high: int | None
    # The day's waits and visits, recorded and simulated (all replications), to pool the days.
    recorded_waits: list[int]
    simulated_waits: list[int]
    recorded_targeted: int
    recorded_in: int
    simulated_targeted: int
    simulated_in: int
    seconds: float

    @property
    def p90_inside(self) -> bool | None:
        """Whether the recorded p90 lies within the replications' 5th-95th percentile band."""
        if self.recorded_p90 is None or self.simulated_p90_low is None:
            return None
        return self.simulated_p90_low <= self.recorded_p90 <= self.simulated_p90_high

    @property
    def p90_error(self) -> float | None:
        """The simulated p90 wait's error relative to the recorded one."""
        if self.recorded_p90 is None or self.simulated_p90 is None:
            return None
        return (self.simulated_p90 - self.recorded_p90) / max(self.recorded_p90, WAIT_FLOOR)

    @property
    def within_error(self) -> float | None:
        """The simulated share within the standard less the recorded one (points, 0..1)."""
        if self.recorded_within is None or self.simulated_within is None:
            return None
        return self.simulated_within - self.recorded_within


@dataclass
class Validation:
    office_id: int
    replications: int
    days: list[DayCheck]

    def _mean_abs(self, name) -> float | None:
        values = [abs(v) for d in self.days if (v := getattr(d, name)) is not None]
        return statistics.fmean(values) if values else None

    @property
    def p90_error(self) -> float | None:
        """Mean absolute relative error of the p90 wait over the days."""
        return self._mean_abs("p90_error")

    @property
    def p50_error(self) -> float | None:
        values = [
            abs(d.simulated_p50 - d.recorded_p50) / max(d.recorded_p50, WAIT_FLOOR)
            for d in self.days
            if d.simulated_p50 is not None and d.recorded_p50 is not None
        ]
        return statistics.fmean(values) if values else None

    @property
    def within_error(self) -> float | None:
        """Mean absolute error of the share within the standard (points, 0..1)."""
        return self._mean_abs("within_error")

    @property
    def inside(self) -> tuple[int, int]:
        """Of the days, those whose recorded p90 lies within the replications' band, and all."""
        marks = [d.p90_inside for d in self.days if d.p90_inside is not None]
        return sum(marks), len(marks)

    def _pooled(self, name: str) -> Histogram:
        counts = [0] * (HISTOGRAM_CAP + 1)
        for d in self.days:
            for b, n in enumerate(getattr(d, name)):
                counts[b] += n
        return Histogram(counts)

    @property
    def pooled(self) -> dict:
        """The days together (every wait and visit of them): recorded and simulated p50, p90
        and share within the standard, and the errors of the simulated ones."""
        rec, sim = self._pooled("recorded_waits"), self._pooled("simulated_waits")
        rec_targeted = sum(d.recorded_targeted for d in self.days)
        sim_targeted = sum(d.simulated_targeted for d in self.days)
        out = {
            "recorded_p50": rec.percentile(50),
            "simulated_p50": sim.percentile(50),
            "recorded_p90": rec.percentile(90),
            "simulated_p90": sim.percentile(90),
            "recorded_within": sum(d.recorded_in for d in self.days) / rec_targeted if rec_targeted else None,
            "simulated_within": sum(d.simulated_in for d in self.days) / sim_targeted if sim_targeted else None,
        }
        out["p90_error"] = (
            (out["simulated_p90"] - out["recorded_p90"]) / max(out["recorded_p90"], WAIT_FLOOR)
            if out["recorded_p90"] is not None and out["simulated_p90"] is not None
            else None
        )
        out["within_error"] = (
            out["simulated_within"] - out["recorded_within"]
            if out["recorded_within"] is not None and out["simulated_within"] is not None
            else None
        )
        return out

    @property
    def off(self) -> bool:
        """Whether the planner is off by more than ERROR_LIMIT over its past days together
        (the p90 wait relative, the share within the standard in points)."""
        pooled = self.pooled
        return any(e is not None and abs(e) > ERROR_LIMIT for e in (pooled["p90_error"], pooled["within_error"]))


def _counters(record) -> list[CounterPlan]:
    plans = []
    for number, services, first, last in record.counters:
        opens = OPENS if first <= OPENS + SPAN_SLACK else first
        stays = last >= CLOSES - SPAN_SLACK
        plans.append(CounterPlan(number, services, opens, CLOSES if stays else last, stays))
    return plans


def day_validate(*, office_id: int, day: datetime.date, replications: int = 200, seed: int = 0) -> DayCheck:
    """Simulate one recorded day with its arrivals and counters; compare with what was measured."""
    record = recorded_day(office_id=office_id, day=day)
    model = office_day_model(office_id=office_id, day=day, counters=_counters(record))
    result = simulate(model, arrivals=record.arrivals, replications=replications, seed=seed)
    whole = result.day()
    simulated = result.figures(whole)
    measured = queue_measures(start=day, end=day, office_ids=[office_id], histograms=("wait",))
    m = measured[0] if measured else None
    p90s = sorted(p for p in result.day_p90 if p is not None)
    return DayCheck(
        day=day,
        arrivals=len(record.arrivals),
        counters=len(model.counters),
        recorded_p50=m.wait.percentile(50) if m else None,
        recorded_p90=m.wait.percentile(90) if m else None,
        recorded_within=m.within_target_share if m else None,
        simulated_p50=simulated["wait_p50"],
        simulated_p90=simulated["wait_p90"],
        simulated_within=simulated["within_share"],
        simulated_p90_low=p90s[int(0.05 * (len(p90s) - 1))] if p90s else None,
        simulated_p90_high=p90s[math.ceil(0.95 * (len(p90s) - 1))] if p90s else None,
        recorded_waits=list(m.wait.counts) if m else [],
        simulated_waits=whole.wait_hist,
        recorded_targeted=m.targeted if m else 0,
        recorded_in=m.within_target if m else 0,
        simulated_targeted=whole.targeted,
        simulated_in=whole.within,
        seconds=result.seconds,
    )


def validate(
    *,
    office_id: int,
    days: list[datetime.date] | None = None,
    count: int = 20,
    replications: int = 200,
    seed: int = 0,
) -> Validation:
    """Check the simulation on `days` (by default the office's last `count` recorded days)."""
    if days is None:
        days = recorded_days(office_id=office_id, before=timezone.localdate(), count=count)
    checks = [day_validate(office_id=office_id, day=day, replications=replications, seed=seed) for day in days]
    return Validation(office_id=office_id, replications=replications, days=checks)
