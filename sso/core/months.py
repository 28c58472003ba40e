"""Month arithmetic, one place for every app: wage periods, pay months, anniversaries.

A *period* (or pay month) is the first day of a month; `date_add_months` keeps the day and
clamps it to the month's length (31 January + 1 month = 28 or 29 February).
"""

import calendar
import datetime


def month_first(day: datetime.date) -> datetime.date:
    """The first day of the month `day` falls in (its wage period)."""
    return day.replace(day=1)


def month_add(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> int:
    """Months from `first`'s to `last`'s, both included (January to March is 3)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def month_index(day: datetime.date) -> int:
    """A month as one integer (year x 12 + month), for keys and locks."""
    return day.year * 12 + day.month


def date_add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the length of that month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Age in whole years on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
