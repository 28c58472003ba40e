"""The planner's calendar: the days an office is open, and what kind of day each is for the
forecast.

A day is closed on a weekend, a Thai public holiday (the `holidays` package, kept up to date
with the cabinet's announcements, substitute days included) or one of the office's own
closures (OfficeClosure). An open day is placed by the two crowds of the month: the days
around the 15th, when contributions are due (`due-2` .. `due+2`, by calendar day), and the
month's last two days (`month_end`); every other open day is `ordinary`. The working day just
before and just after a closed weekday (a holiday or closure) are marked too.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from queueing.models import OfficeClosure

DUE_DAY = 15
DUE_SPAN = 2  # days either side of the 15th that crowd
MONTH_END_DAYS = 2


def position_label(position: str) -> str:
    """A position in words (DayInfo.position)."""
    if position == "ordinary":
        return str(_("an ordinary day"))
    if position == "month_end":
        return str(_("the month's last two days"))
    offset = int(position[3:])
    if not offset:
        return str(_("the 15th"))
    return str(_("%(offset)+d days from the 15th") % {"offset": offset})


@dataclass(frozen=True)
class DayInfo:
    """One day of an office's calendar."""

    day: datetime.date
    closed: str  # why the office is closed ('' when open)
    position: str  # ordinary, month_end, due-2 .. due+2 (position_label)
    before_closed: bool  # the working day just before a closed weekday
    after_closed: bool  # the working day just after one

    @property
    def is_open(self) -> bool:
        return not self.closed

    @property
    def group(self) -> str:
        """The days whose hours and services are alike: around the 15th, the month's end, the rest."""
        return "due" if self.position.startswith("due") else self.position

    @property
    def position_label(self) -> str:
        return position_label(self.position)


def day_position(day: datetime.date) -> str:
    offset = day.day - DUE_DAY
    if abs(offset) <= DUE_SPAN:
        return f"due{offset:+d}"
    last = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    if day.day > last.day - MONTH_END_DAYS:
        return "month_end"
    return "ordinary"


@lru_cache(maxsize=64)
def _thai_holidays(year: int, language: str) -> dict:
    return dict(holidays.Thailand(years=year, language=language))


def public_holiday(day: datetime.date) -> str:
    """The Thai public holiday's name on `day` ('' if none), in the page's language."""
    language = "th" if (get_language() or "th").startswith("th") else "en_US"
    return _thai_holidays(day.year, language).get(day, "")


def office_calendar(*, office_id: int, start: datetime.date, end: datetime.date) -> dict[datetime.date, DayInfo]:
    """Every day from `start` to `end` (both included) of the office: one query (its closures)."""
    closures = dict(
        OfficeClosure.objects.filter(
            office_id=office_id, day__range=(start - datetime.timedelta(days=7), end + datetime.timedelta(days=7))
        ).values_list("day", "reason")
    )

    def closed(day):
        if day in closures:
            return closures[day]
        holiday = public_holiday(day)
        if holiday:
            return holiday
        return str(_("weekend")) if day.weekday() >= 5 else ""

    def next_weekday(day, step):
        day += datetime.timedelta(days=step)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=step)
        return day

    days = {}
    day = start
    while day <= end:
        reason = closed(day)
        days[day] = DayInfo(
            day=day,
            closed=reason,
            position=day_position(day),
            before_closed=not reason and bool(closed(next_weekday(day, 1))),
            after_closed=not reason and bool(closed(next_weekday(day, -1))),
        )
        day += datetime.timedelta(days=1)
    return days
