"""What the rules read of a person's history: the contribution months and wages (through
`contributions.selectors`), the daily wage and qualifying months built from them, and the
person's earlier decided claims."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from benefits.models import Claim
from benefits.rules.parameters import parameter
from benefits.rules.working import (
    ZERO,
    Work,
    money_lazy,
    money_round,
    period_lazy,
    periods_lazy,
    refuse,
    wages_lazy,
)
from contributions import selectors as contributions
from registry.selectors import Section
from sso.core.formats import date_lazy, lazy_format
from sso.core.months import month_add, month_first

# The sections whose months the benefits of Sections 33 and 39 count.
COUNTED_SECTIONS = (Section.S33, Section.S39)
DECIDED = (Claim.Status.APPROVED, Claim.Status.PAID)


def month_wages(person_id: int, first: datetime.date | None, last: datetime.date | None) -> dict:
    """Each wage period from `first` (included) to `last` (excluded) with its wage: the sum
    over the person's employers (Section 39 months at their fixed base), capped at that
    period's ceiling. Value: (capped wage, wage before the cap, number of rows)."""
    totals: dict[datetime.date, list] = {}
    for period, wage in contributions.contribution_wages(
        person_id, sections=COUNTED_SECTIONS, first=first, before=last
    ):
        entry = totals.setdefault(period, [ZERO, 0])
        entry[0] += wage
        entry[1] += 1
    wages = {}
    for period, (total, rows) in sorted(totals.items()):
        ceiling = contributions.wage_ceiling(period)
        wages[period] = (min(total, ceiling), total, rows)
    return wages


def capped_lines(wages: dict, work: Work | list) -> None:
    for period, (capped, total, rows) in wages.items():
        if capped < total:
            message = lazy_format(
                _("%(period)s: %(total)s from %(rows)s payers, capped at the ceiling of %(ceiling)s."),
                {
                    "period": period_lazy(period),
                    "total": money_lazy(total),
                    "rows": rows,
                    "ceiling": money_lazy(capped),
                },
            )
            (work.lines if isinstance(work, Work) else work).append(message)


def daily_wage_working(person_id: int, event_date: datetime.date) -> tuple[Decimal, list, object]:
    """The exact daily wage (Act s.57), its working, and how it reads in a computation
    ("THB 50,000.00 / 90"): amounts round once, at their end."""
    on = event_date
    back = int(parameter("daily_wage.months_back", on))
    best = int(parameter("daily_wage.best_months", on))
    divisor = parameter("daily_wage.divisor", on)
    last = month_first(event_date)
    first = month_add(last, -back)
    wages = month_wages(person_id, first, last)
    lines: list = []
    capped_lines(wages, lines)
    top = sorted(wages.items(), key=lambda item: (item[1][0], item[0]), reverse=True)[:best]
    total = sum((capped for _period, (capped, _total, _rows) in top), ZERO)
    daily = total / divisor
    basis = lazy_format("%(total)s / %(divisor)s", {"total": money_lazy(total), "divisor": int(divisor)})
    if not top:
        lines.append(
            lazy_format(
                _("Daily wage: no contribution wage in the %(back)s months before %(day)s (%(first)s to %(last)s)."),
                {
                    "back": back,
                    "day": date_lazy(event_date),
                    "first": period_lazy(first),
                    "last": period_lazy(month_add(last, -1)),
                },
            )
        )
        return daily, lines, basis
    lines.append(
        lazy_format(
            _(
                "Daily wage: the %(best)s highest monthly wages in the %(back)s months before %(day)s "
                "(%(first)s to %(last)s): %(wages)s; %(total)s / %(divisor)s = %(daily)s a day."
            ),
            {
                "best": best,
                "back": back,
                "day": date_lazy(event_date),
                "first": period_lazy(first),
                "last": period_lazy(month_add(last, -1)),
                "wages": wages_lazy([(period, capped) for period, (capped, _total, _rows) in top]),
                "total": money_lazy(total),
                "divisor": int(divisor),
                "daily": money_lazy(money_round(daily)),
            },
        )
    )
    return daily, lines, basis


def daily_wage(person_id: int, event_date: datetime.date) -> tuple[Decimal, list]:
    """The daily wage of the cash benefits (Act s.57): the sum of the 3 highest monthly
    contribution wages in the 9 months before the event month, divided by 90. A month's wage
    is the sum over its employers capped at that period's ceiling; a Section 39 month counts
    with its fixed base. Returned rounded to the satang for display; the benefits compute
    with the exact figure and round their amounts."""
    daily, lines, _basis = daily_wage_working(person_id, event_date)
    return money_round(daily), lines


def _qualifying(person_id: int, event_date: datetime.date, required: int, window: int, sections=COUNTED_SECTIONS):
    last = month_first(event_date)
    first = month_add(last, -window)
    months = contributions.paid_months(person_id, sections=sections, first=first, before=last)
    if len(months) <= required:
        message = _("%(found)s of %(required)s months in the %(window)s months before %(day)s: %(months)s")
    else:
        message = _("%(found)s months (%(required)s needed) in the %(window)s months before %(day)s: %(months)s")
    line = lazy_format(
        message,
        {
            "found": len(months),
            "required": required,
            "window": window,
            "day": date_lazy(event_date),
            "months": periods_lazy(months),
        },
    )
    return len(months) >= required, months, [line]


def qualifying_months(person_id: int, event_date: datetime.date, *, required: int, window: int):
    """Whether the person paid at least `required` months within the `window` months before
    the event month (that month excluded; a month paid by two employers counts once), the
    months found, and the working line ("3 of 3 months in the 15 months before ...")."""
    return _qualifying(person_id, event_date, required, window)


def qualify(person, event_date, prefix, p, work, sections=COUNTED_SECTIONS) -> list:
    required = int(p(f"{prefix}.qualifying_months"))
    window = int(p(f"{prefix}.window_months"))
    ok, months, lines = _qualifying(person.pk, event_date, required, window, sections)
    work.lines.extend(lines)
    if not ok:
        refuse(
            "not_enough_months",
            _("Not enough contributions: %(found)s months paid, %(required)s needed."),
            found=len(months),
            required=required,
        )
    return months


def all_months(person_id: int, up_to: datetime.date) -> list[datetime.date]:
    """Every wage period the person paid (Sections 33 and 39) up to the event month."""
    return contributions.paid_months(person_id, sections=COUNTED_SECTIONS, before=month_add(month_first(up_to), 1))


def decided_claims(person, benefit: str, year: int):
    """The person's claims for `benefit` approved or paid for events of `year`."""
    return Claim.objects.filter(person=person, benefit=benefit, status__in=DECIDED, event_date__year=year)
