"""The forecast of an office's arrivals, per service and hour, from its own history.

A model a supervisor can check by hand (issue 19):

- the **base** is the median of the office's ordinary days (neither near the 15th nor at the
  month's end, nor next to a holiday) of the same weekday over the last WINDOW_WEEKS weeks
  (of all its ordinary days when fewer than MIN_SAME_WEEKDAY are of that weekday);
- a day near the 15th or at the month's end is the base times the **factor** of its
  position: the median, over the past days of that position, of how many times their own
  weekday's base they brought (the 15th: "2.4 times an ordinary Tuesday"), days next to a
  holiday left out when there are others;
- the working day before or after a holiday or closure is scaled the same way by what such
  days brought over their base and position, when the window has at least two of them (else
  not at all, and it says so);
- the **trend** is the median of the last TREND_DAYS recorded days over what the model gives
  them, kept within TREND_LIMITS;
- the day's total is spread over services and hours by the shares of the past days of its
  kind (around the 15th, at the month's end, or ordinary).

A closed day (weekend, public holiday, the office's closure) expects no one. The forecast
refuses a past day and an office with fewer than MIN_DAYS recorded days in its window, and
gives no figures for a day whose position has no past day to learn from: it says what is
missing rather than invent. `backtest` measures its error on the recorded days.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from queueing.planning.calendar import DayInfo, office_calendar
from queueing.planning.selectors import arrivals_history
from sso.core.formats import date_display
from sso.core.records import refuse

WINDOW_WEEKS = 16
MIN_WEEKS = 4
MIN_DAYS = MIN_WEEKS * 5  # recorded working days in the window
MIN_SAME_WEEKDAY = 3
MIN_ADJUSTING_DAYS = 2
TREND_DAYS = 20
TREND_LIMITS = (0.8, 1.25)
MAX_AHEAD_DAYS = 62
# Below this many arrivals, the days of a kind are too few to give their own shares.
MIN_PROFILE_ARRIVALS = 200

History = dict[datetime.date, dict[tuple[int, int], int]]


@dataclass
class DayForecast:
    """The expected arrivals of one day, per (service_id, hour), and how they were reached."""

    day: datetime.date
    info: DayInfo
    cells: dict[tuple[int, int], float] = field(default_factory=dict)
    total: float = 0.0
    base: float = 0.0
    base_days: int = 0  # the ordinary days the base is the median of
    factor: float = 1.0  # of the day's position (around the 15th, the month's end)
    factor_days: int = 0
    holiday_factor: float = 1.0  # the working day before or after a closed day
    trend: float = 1.0
    missing: str = ""  # why there are no figures ('' when there are)
    notes: list[str] = field(default_factory=list)

    @property
    def hours(self) -> dict[int, float]:
        out: dict[int, float] = {}
        for (_service, hour), value in self.cells.items():
            out[hour] = out.get(hour, 0.0) + value
        return dict(sorted(out.items()))

    @property
    def services(self) -> dict[int, float]:
        out: dict[int, float] = {}
        for (service, _hour), value in self.cells.items():
            out[service] = out.get(service, 0.0) + value
        return out


class _Model:
    """The model fitted to the recorded days of the window that ends on `origin`."""

    def __init__(self, history: History, calendar: dict[datetime.date, DayInfo], origin: datetime.date):
        first = origin - datetime.timedelta(weeks=WINDOW_WEEKS)
        self.days = sorted(d for d in history if first < d <= origin and d in calendar)
        self.history = history
        self.calendar = calendar
        self.totals = {d: sum(history[d].values()) for d in self.days}
        self.ordinary = [
            d
            for d in self.days
            if calendar[d].position == "ordinary" and not calendar[d].before_closed and not calendar[d].after_closed
        ]
        self._bases: dict[int, tuple[float, int]] = {}
        self._factors: dict[str, tuple[float, int]] = {}
        self._holiday: dict[str, tuple[float, int]] = {}

    def base(self, weekday: int) -> tuple[float, int]:
        if weekday not in self._bases:
            self._bases[weekday] = self._base(weekday)
        return self._bases[weekday]

    def _base(self, weekday: int) -> tuple[float, int]:
        same = [self.totals[d] for d in self.ordinary if d.weekday() == weekday]
        if len(same) >= MIN_SAME_WEEKDAY:
            return statistics.median(same), len(same)
        if not self.ordinary:
            return 0.0, 0
        return statistics.median(self.totals[d] for d in self.ordinary), len(self.ordinary)

    def factor(self, position: str) -> tuple[float, int]:
        if position not in self._factors:
            self._factors[position] = self._factor(position)
        return self._factors[position]

    def _factor(self, position: str) -> tuple[float, int]:
        if position == "ordinary":
            return 1.0, 0
        plain = self._plain_factor(position)
        if plain[1]:
            return plain
        # Every such day was next to a holiday: what the holiday added is taken out first.
        ratios = []
        for d in self.days:
            info = self.calendar[d]
            if info.position == position and (base := self.base(d.weekday())[0]):
                adjust = self.holiday_factor("before_closed")[0] if info.before_closed else 1.0
                adjust *= self.holiday_factor("after_closed")[0] if info.after_closed else 1.0
                ratios.append(self.totals[d] / base / adjust)
        return (statistics.median(ratios), len(ratios)) if ratios else (0.0, 0)

    def _plain_factor(self, position: str) -> tuple[float, int]:
        """The position's factor from its days not next to a holiday (which bring more or less
        for that reason), if it has any."""
        if position == "ordinary":
            return 1.0, 1
        ratios = [
            self.totals[d] / base
            for d in self.days
            if self.calendar[d].position == position
            and not self.calendar[d].before_closed
            and not self.calendar[d].after_closed
            and (base := self.base(d.weekday())[0])
        ]
        return (statistics.median(ratios), len(ratios)) if ratios else (0.0, 0)

    def expected(self, day: datetime.date) -> float:
        """The base times the position's factor (no holiday factor, no trend)."""
        return self.base(day.weekday())[0] * (self.factor(self.calendar[day].position)[0] or 1.0)

    def holiday_factor(self, flag: str) -> tuple[float, int]:
        """What the days next to a holiday (`flag`) brought over their base and position,
        from those whose position is known from plain days; 1 with fewer than two."""
        if flag not in self._holiday:
            ratios = []
            for d in self.days:
                if not getattr(self.calendar[d], flag):
                    continue
                factor, seen = self._plain_factor(self.calendar[d].position)
                if seen and (expected := self.base(d.weekday())[0] * factor):
                    ratios.append(self.totals[d] / expected)
            self._holiday[flag] = (
                (statistics.median(ratios), len(ratios)) if len(ratios) >= MIN_ADJUSTING_DAYS else (1.0, len(ratios))
            )
        return self._holiday[flag]

    def trend(self) -> float:
        ratios = [self.totals[d] / expected for d in self.days[-TREND_DAYS:] if (expected := self.expected(d))]
        if not ratios:
            return 1.0
        return min(TREND_LIMITS[1], max(TREND_LIMITS[0], statistics.median(ratios)))

    def shares(self, group: str) -> tuple[dict[tuple[int, int], float], bool]:
        alike = [d for d in self.days if self.calendar[d].group == group]
        own = sum(self.totals[d] for d in alike) >= MIN_PROFILE_ARRIVALS
        chosen = alike if own else self.days
        summed: dict[tuple[int, int], int] = {}
        for d in chosen:
            for key, value in self.history[d].items():
                summed[key] = summed.get(key, 0) + value
        total = sum(summed.values()) or 1
        return {key: value / total for key, value in summed.items()}, own

    def forecast(self, info: DayInfo) -> DayForecast:
        result = DayForecast(day=info.day, info=info)
        if info.closed:
            result.notes.append(_("Closed: %(reason)s.") % {"reason": info.closed})
            return result
        result.base, result.base_days = self.base(info.day.weekday())
        if not result.base_days:
            result.missing = _("No ordinary day recorded in the last %(weeks)d weeks to start from.") % {
                "weeks": WINDOW_WEEKS
            }
            return result
        result.factor, result.factor_days = self.factor(info.position)
        if info.position != "ordinary" and not result.factor_days:
            result.missing = _(
                "No past day of this kind (%(kind)s) in the last %(weeks)d weeks: the office's history cannot "
                "tell how many come then."
            ) % {"kind": info.position_label, "weeks": WINDOW_WEEKS}
            return result
        for flag, text in (
            ("before_closed", _("the working day before a holiday")),
            ("after_closed", _("the working day after a holiday")),
        ):
            if getattr(info, flag):
                factor, seen = self.holiday_factor(flag)
                if seen >= MIN_ADJUSTING_DAYS:
                    result.holiday_factor *= factor
                else:
                    result.notes.append(
                        _("Only %(seen)d past day(s) like %(kind)s in the window: not adjusted for it.")
                        % {"seen": seen, "kind": text}
                    )
        result.trend = self.trend()
        result.total = result.base * result.factor * result.holiday_factor * result.trend
        shares, own = self.shares(info.group)
        if not own:
            result.notes.append(
                _("Too few past days of this kind for their own mix of services and hours: all days' mix.")
            )
        result.cells = {key: result.total * share for key, share in shares.items()}
        return result


def _history_refusal(days: list[datetime.date], origin: datetime.date) -> str:
    if not days:
        return _(
            "The office has no queue history in the %(weeks)d weeks up to %(origin)s; a forecast needs at least "
            "%(need)d recorded working days (%(min_weeks)d weeks)."
        ) % {"weeks": WINDOW_WEEKS, "origin": date_display(origin), "need": MIN_DAYS, "min_weeks": MIN_WEEKS}
    return _(
        "The office has queue history for %(have)d working days in the %(weeks)d weeks up to %(origin)s (from "
        "%(first)s to %(last)s); a forecast needs at least %(need)d (%(min_weeks)d weeks): %(more)d more recorded "
        "working days are missing."
    ) % {
        "have": len(days),
        "weeks": WINDOW_WEEKS,
        "origin": date_display(origin),
        "first": date_display(days[0]),
        "last": date_display(days[-1]),
        "need": MIN_DAYS,
        "min_weeks": MIN_WEEKS,
        "more": MIN_DAYS - len(days),
    }


def forecast_days(
    *, office_id: int, days: list[datetime.date], today: datetime.date | None = None
) -> list[DayForecast]:
    """The forecast of each of `days` (today or coming days, at most MAX_AHEAD_DAYS ahead)
    from the office's history up to yesterday. Refuses (a ValidationError on `day` or
    `office`) a past or too distant day and an office with too little history."""
    today = today or timezone.localdate()
    if not days:
        refuse("day", _("Choose a day to forecast."))
    for day in days:
        if day < today:
            refuse("day", _("A forecast is for a coming day: %(day)s has passed.") % {"day": date_display(day)})
        if day > today + datetime.timedelta(days=MAX_AHEAD_DAYS):
            refuse(
                "day",
                _("A forecast reaches at most %(n)d days ahead: %(day)s is further.")
                % {"n": MAX_AHEAD_DAYS, "day": date_display(day)},
            )
    origin = today - datetime.timedelta(days=1)
    start = origin - datetime.timedelta(weeks=WINDOW_WEEKS)
    history = arrivals_history(office_id=office_id, start=start, end=origin)
    calendar = office_calendar(office_id=office_id, start=start, end=max(days))
    model = _Model(history, calendar, origin)
    if len(model.days) < MIN_DAYS:
        refuse("office", _history_refusal(model.days, origin))
    return [model.forecast(calendar[day]) for day in sorted(days)]


@dataclass
class BacktestDay:
    day: datetime.date
    position: str
    actual: int
    forecast: float
    hours: dict[int, tuple[int, float]]  # hour -> (actual, forecast)

    @property
    def error(self) -> float:
        return abs(self.forecast - self.actual) / self.actual


@dataclass
class Backtest:
    """The forecast's error on recorded days, each forecast from the history `horizon` days before it."""

    start: datetime.date
    end: datetime.date
    horizon: int
    days: list[BacktestDay]
    skipped: list[tuple[datetime.date, str]]  # recorded days with no forecast, and why

    @property
    def day_mape(self) -> float | None:
        """Mean absolute percentage error of the day's total arrivals."""
        return statistics.fmean(d.error for d in self.days) if self.days else None

    def _hour_errors(self):
        return [(h, abs(f - a) / a, abs(f - a), a) for d in self.days for h, (a, f) in d.hours.items() if a]

    @property
    def hour_mape(self) -> float | None:
        """Mean absolute percentage error of the hour's arrivals, over every recorded hour with any."""
        errors = self._hour_errors()
        return statistics.fmean(e for _h, e, _abs, _a in errors) if errors else None

    @property
    def hour_wape(self) -> float | None:
        """The hours' absolute errors over their arrivals (weighted: a quiet hour's 1 against 2 counts little)."""
        errors = self._hour_errors()
        actual = sum(a for *_rest, a in errors)
        return sum(e for _h, _e, e, _a in errors) / actual if actual else None

    def by_hour(self) -> dict[int, float]:
        """The MAPE of each hour of the day."""
        out: dict[int, list[float]] = {}
        for hour, error, *_rest in self._hour_errors():
            out.setdefault(hour, []).append(error)
        return {hour: statistics.fmean(errors) for hour, errors in sorted(out.items())}

    def by_position(self) -> dict[str, float]:
        """The day MAPE of each kind of day."""
        out: dict[str, list[float]] = {}
        for d in self.days:
            out.setdefault(d.position, []).append(d.error)
        return {position: statistics.fmean(errors) for position, errors in sorted(out.items())}


def backtest(*, office_id: int, end: datetime.date | None = None, months: int = 3, horizon: int = 7) -> Backtest:
    """Forecast each recorded open day of the `months` before `end` (yesterday by default)
    from the history up to `horizon` days before it, and compare with what came."""
    end = end or timezone.localdate() - datetime.timedelta(days=1)
    start = end - datetime.timedelta(days=round(months * 30.44))
    first = start - datetime.timedelta(days=horizon, weeks=WINDOW_WEEKS)
    history = arrivals_history(office_id=office_id, start=first, end=end)
    calendar = office_calendar(office_id=office_id, start=first, end=end)
    result = Backtest(start=start, end=end, horizon=horizon, days=[], skipped=[])
    for day in sorted(d for d in history if start <= d <= end):
        info = calendar[day]
        if info.closed:
            result.skipped.append((day, _("Closed: %(reason)s.") % {"reason": info.closed}))
            continue
        model = _Model(history, calendar, day - datetime.timedelta(days=horizon))
        if len(model.days) < MIN_DAYS:
            result.skipped.append((day, _history_refusal(model.days, day - datetime.timedelta(days=horizon))))
            continue
        forecast = model.forecast(info)
        if forecast.missing:
            result.skipped.append((day, forecast.missing))
            continue
        actual_hours: dict[int, int] = {}
        for (_service, hour), value in history[day].items():
            actual_hours[hour] = actual_hours.get(hour, 0) + value
        predicted = forecast.hours
        hours = {h: (actual_hours.get(h, 0), predicted.get(h, 0.0)) for h in sorted({*actual_hours, *predicted})}
        result.days.append(
            BacktestDay(
                day=day,
                position=info.position,
                actual=sum(actual_hours.values()),
                forecast=forecast.total,
                hours=hours,
            )
        )
    return result
