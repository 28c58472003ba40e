"""The benefit rules (Social Security Act, Sections 33 and 39): who qualifies, and how much.

`examine` answers one claim: eligible or the refusal's stable code, the amount, and the
working the officer reads at the examine step (months found, wage base, days, caps). Every
figure is a `BenefitParameter` row in force on the event date (`parameter`); the contribution
history is `ContributionMonth` and the ceilings are `contributions.rules`.

Money is Decimal. The daily wage is kept exact inside a computation and each amount is
rounded once, at its end, to the satang half-up (`money_round`): 3 x 17,500 / 90 x 30 x 50%
is 8,750.00 a month, not 8,749.99.
"""

import calendar
import datetime
import functools
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from benefits.models import Benefit, BenefitParameter, Claim
from contributions import rules as contribution_rules
from contributions.models import ContributionMonth
from registry.models import Dependant, Employment, Section, SectionSpell
from sso.core.formats import BE_OFFSET, date_lazy, lazy_format, money_display
from sso.core.tables import TableCache

HUNDRED = Decimal(100)
SATANG = Decimal("0.01")
ZERO = Decimal(0)
# The sections whose months the benefits of Sections 33 and 39 count.
COUNTED_SECTIONS = (Section.S33, Section.S39)
DECIDED = (Claim.Status.APPROVED, Claim.Status.PAID)
PENDING_OR_DECIDED = (
    Claim.Status.RECORDED,
    Claim.Status.EXAMINED,
    Claim.Status.REFERRED,
    Claim.Status.APPROVED,
    Claim.Status.PAID,
)

period_of = contribution_rules.period_of
period_add = contribution_rules.period_add


def money_round(amount: Decimal) -> Decimal:
    """Benefit amounts to the satang, half-up, once at the end of a computation (SSO pays
    cash benefits in baht and satang)."""
    return amount.quantize(SATANG, rounding=ROUND_HALF_UP)


@dataclass
class Outcome:
    eligible: bool
    amount: Decimal | None
    monthly: bool = False
    months: int | None = None
    lines: list = field(default_factory=list)
    refusal_code: str = ""
    missing: list = field(default_factory=list)


# Parameters -------------------------------------------------------------------------------

# Like the contribution rules: a few hundred rows read by every examination, kept a minute per
# process (apps.py watches the model).
TABLES = TableCache(seconds=60)


def rules_cache_clear(**_kwargs) -> None:
    TABLES.clear()


def _parameters_load() -> dict[str, list]:
    rows: dict[str, list] = {}
    for row in BenefitParameter.objects.all():
        rows.setdefault(row.key, []).append(row)
    return rows


def _rows() -> dict[str, list]:
    return TABLES.get("parameters", _parameters_load)


def parameter(key: str, on: datetime.date) -> Decimal:
    """The figure `key` in force on the date (the latest row valid then)."""
    rows = [
        row for row in _rows().get(key, ()) if row.valid_from <= on and (row.valid_to is None or row.valid_to >= on)
    ]
    row = max(rows, key=lambda row: row.valid_from, default=None)
    if row is None:
        raise ValidationError(
            lazy_format(
                _("The benefit parameter %(key)s has no row in force on %(day)s: an administrator must add it."),
                {"key": key, "day": date_lazy(on)},
            ),
            code="no_parameter",
        )
    return row.value


# Wording helpers --------------------------------------------------------------------------


def _year_display(year: int) -> str:
    return str(year + BE_OFFSET if not (get_language() or "th").startswith("en") else year)


def _period_display(period: datetime.date) -> str:
    return f"{period.month:02d}/{_year_display(period.year)}"


def _periods_display(periods) -> str:
    return ", ".join(_period_display(period) for period in periods) or str(_("none"))


def _wages_display(pairs) -> str:
    return ", ".join(f"{_period_display(period)} {money_display(wage)}" for period, wage in pairs)


# Shown in the language of the reader: B.E. years and "บาท" in Thai.
year_lazy = lazy(_year_display, str)
period_lazy = lazy(_period_display, str)
periods_lazy = lazy(_periods_display, str)
wages_lazy = lazy(_wages_display, str)
money_lazy = lazy(money_display, str)


def _figure(value: Decimal) -> str:
    """A rate or count as written: 50, 1.5 (not 5E+1 or 50.0000)."""
    return f"{value.normalize():f}"


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _anniversary(day: datetime.date, years: int) -> datetime.date:
    return _add_months(day, 12 * years)


def _age(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class _Refusal(Exception):
    def __init__(self, code: str, message):
        super().__init__(code)
        self.code, self.message = code, message


@dataclass
class _Work:
    """The working of one examination: the lines shown, and what is missing or contradictory."""

    lines: list = field(default_factory=list)
    missing: list = field(default_factory=list)

    def line(self, message, **params):
        self.lines.append(lazy_format(message, params) if params else message)

    def lack(self, message, **params):
        self.missing.append(lazy_format(message, params) if params else message)


def _refuse(code: str, message, **params):
    raise _Refusal(code, lazy_format(message, params) if params else message)


# Contribution history ---------------------------------------------------------------------


def _month_wages(person_id: int, first: datetime.date | None, last: datetime.date | None) -> dict:
    """Each wage period from `first` (included) to `last` (excluded) with its wage: the sum
    over the person's employers (Section 39 months at their fixed base), capped at that
    period's ceiling. Value: (capped wage, wage before the cap, number of rows)."""
    months = ContributionMonth.objects.filter(person_id=person_id, section__in=COUNTED_SECTIONS)
    if first is not None:
        months = months.filter(period__gte=first)
    if last is not None:
        months = months.filter(period__lt=last)
    totals: dict[datetime.date, list] = {}
    for period, wage in months.values_list("period", "wage"):
        entry = totals.setdefault(period, [ZERO, 0])
        entry[0] += wage
        entry[1] += 1
    wages = {}
    for period, (total, rows) in sorted(totals.items()):
        ceiling = contribution_rules.rate_for(period).wage_ceiling
        wages[period] = (min(total, ceiling), total, rows)
    return wages


def _capped_lines(wages: dict, work: _Work | list) -> None:
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
            (work.lines if isinstance(work, _Work) else work).append(message)


def _daily_wage(person_id: int, event_date: datetime.date) -> tuple[Decimal, list, object]:
    """The exact daily wage (Act s.57), its working, and how it reads in a computation
    ("THB 50,000.00 / 90"): amounts round once, at their end."""
    on = event_date
    back = int(parameter("daily_wage.months_back", on))
    best = int(parameter("daily_wage.best_months", on))
    divisor = parameter("daily_wage.divisor", on)
    last = period_of(event_date)
    first = period_add(last, -back)
    wages = _month_wages(person_id, first, last)
    lines: list = []
    _capped_lines(wages, lines)
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
                    "last": period_lazy(period_add(last, -1)),
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
                "last": period_lazy(period_add(last, -1)),
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
    daily, lines, _basis = _daily_wage(person_id, event_date)
    return money_round(daily), lines


def _qualifying(person_id: int, event_date: datetime.date, required: int, window: int, sections=COUNTED_SECTIONS):
    last = period_of(event_date)
    first = period_add(last, -window)
    months = list(
        ContributionMonth.objects.filter(person_id=person_id, section__in=sections, period__gte=first, period__lt=last)
        .values_list("period", flat=True)
        .distinct()
        .order_by("period")
    )
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


def _qualify(person, event_date, prefix, p, work, sections=COUNTED_SECTIONS) -> list:
    required = int(p(f"{prefix}.qualifying_months"))
    window = int(p(f"{prefix}.window_months"))
    ok, months, lines = _qualifying(person.pk, event_date, required, window, sections)
    work.lines.extend(lines)
    if not ok:
        _refuse(
            "not_enough_months",
            _("Not enough contributions: %(found)s months paid, %(required)s needed."),
            found=len(months),
            required=required,
        )
    return months


def _all_months(person_id: int, up_to: datetime.date) -> list[datetime.date]:
    """Every wage period the person paid (Sections 33 and 39) up to the event month."""
    return list(
        ContributionMonth.objects.filter(
            person_id=person_id, section__in=COUNTED_SECTIONS, period__lte=period_of(up_to)
        )
        .values_list("period", flat=True)
        .distinct()
        .order_by("period")
    )


# Insured status ---------------------------------------------------------------------------


def _insured(person, event_date, p, work, *, grace: bool) -> SectionSpell:
    """The Section 33 or 39 spell that covers the event, or (with `grace`: sickness, dental,
    maternity, invalidity, death) the last one when it ended within the cover after leaving."""
    spells = list(person.section_spells.order_by("valid_from"))
    if not spells:
        work.lack(_("The registry has no section history for this person."))
    current = next((spell for spell in spells if spell.covers(event_date)), None)
    if current is not None and current.section in COUNTED_SECTIONS:
        work.line(
            _("Insured under Section %(section)s on %(day)s."), section=current.section, day=date_lazy(event_date)
        )
        return current
    ended = [s for s in spells if s.section in COUNTED_SECTIONS and s.valid_to is not None and s.valid_to < event_date]
    last = max(ended, key=lambda spell: spell.valid_to, default=None)
    if grace and last is not None:
        months = int(p("cover_after_leaving.months"))
        until = _add_months(last.valid_to, months)
        if event_date <= until:
            work.line(
                _("Insurance ended on %(ended)s; covered for %(months)s months after, until %(until)s."),
                ended=date_lazy(last.valid_to),
                months=months,
                until=date_lazy(until),
            )
            return last
        work.line(
            _("Insurance ended on %(ended)s; the cover of %(months)s months after ended on %(until)s."),
            ended=date_lazy(last.valid_to),
            months=months,
            until=date_lazy(until),
        )
    if current is not None and current.section == Section.S40:
        _refuse(
            "section40",
            _("Insured under Section 40 on %(day)s: Section 40 has its own benefits."),
            day=date_lazy(event_date),
        )
    _refuse("not_insured", _("Not insured under Section 33 or 39 on %(day)s."), day=date_lazy(event_date))


def _alive_check(person, event_date, work) -> None:
    if person.died_on is not None and person.died_on < event_date:
        work.lack(
            _("The registry records the death on %(died)s, before the event date %(day)s."),
            died=date_lazy(person.died_on),
            day=date_lazy(event_date),
        )


def _decimal(details: dict, key: str, work: _Work, label) -> Decimal | None:
    value = details.get(key)
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        work.lack(_("%(what)s is not an amount: %(value)s."), what=label, value=str(value))
        return None
    return amount


def _whole(details: dict, key: str, work: _Work, label) -> int | None:
    value = details.get(key)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0 or str(number) != str(value).strip():
        work.lack(_("%(what)s is not a whole number: %(value)s."), what=label, value=str(value))
        return None
    return number


def _date(details: dict, key: str, work: _Work, label) -> datetime.date | None:
    value = details.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        work.lack(_("%(what)s is not a date: %(value)s."), what=label, value=str(value))
        return None


def _missing_data(work: _Work, message, **params):
    work.lack(message, **params)
    _refuse("missing_data", _("The claim lacks data needed to decide it."))


def _decided_claims(person, benefit: str, year: int):
    return Claim.objects.filter(person=person, benefit=benefit, status__in=DECIDED, event_date__year=year)


# The benefits -----------------------------------------------------------------------------


def _sickness(person, event_date, details, dependant, p, work) -> Outcome:
    _alive_check(person, event_date, work)
    _insured(person, event_date, p, work, grace=True)
    _qualify(person, event_date, "sickness", p, work)
    daily, wage_lines, basis = _daily_wage(person.pk, event_date)
    work.lines.extend(wage_lines)

    per_claim = int(p("sickness.max_days_per_claim"))
    chronic = bool(details.get("chronic"))
    per_year = int(p("sickness.max_days_per_year_chronic" if chronic else "sickness.max_days_per_year"))
    days_off = _whole(details, "days_off", work, _("Days off work"))
    days_off = days_off or 0
    already = 0
    for claim in _decided_claims(person, Benefit.SICKNESS, event_date.year).only("details"):
        try:
            already += min(int((claim.details or {}).get("days_off") or 0), per_claim)
        except (TypeError, ValueError):
            work.lack(_("Claim %(number)s has no readable number of days off."), number=claim.pk)
    days = max(0, min(days_off, per_claim, per_year - already))
    rate = p("sickness.cash_rate")
    cash = daily * rate / HUNDRED * days
    work.line(
        _(
            "Days off: %(asked)s asked, at most %(per_claim)s a claim; %(already)s already paid in %(year)s "
            "of %(per_year)s a year%(chronic)s: %(days)s days paid."
        ),
        asked=days_off,
        per_claim=per_claim,
        already=already,
        year=year_lazy(event_date.year),
        per_year=per_year,
        chronic=_(" (chronic illness)") if chronic else "",
        days=days,
    )
    work.line(
        _("Cash: %(daily)s x %(rate)s%% x %(days)s days = %(cash)s."),
        daily=basis,
        rate=_figure(rate),
        days=days,
        cash=money_lazy(money_round(cash)),
    )
    expenses = _decimal(details, "medical_expenses", work, _("Medical expenses")) or ZERO
    reimbursed = ZERO
    if details.get("emergency"):
        reimbursed = expenses
        work.line(
            _("Emergency care elsewhere: medical expenses of %(amount)s reimbursed."), amount=money_lazy(expenses)
        )
    elif expenses:
        work.line(
            _("Care is free at the registered hospital: the expenses of %(amount)s are not reimbursed (no emergency)."),
            amount=money_lazy(expenses),
        )
    else:
        work.line(_("Care is free at the registered hospital."))
    if days_off and not days and not reimbursed:
        _refuse(
            "days_exhausted",
            _("No sickness days are left in %(year)s: %(already)s of %(per_year)s already paid."),
            year=year_lazy(event_date.year),
            already=already,
            per_year=per_year,
        )
    return Outcome(eligible=True, amount=money_round(cash + reimbursed))


def _dental(person, event_date, details, dependant, p, work) -> Outcome:
    # Dental care is part of the sickness benefit: the same cover after leaving.
    _alive_check(person, event_date, work)
    _insured(person, event_date, p, work, grace=True)
    _qualify(person, event_date, "dental", p, work)
    asked = _decimal(details, "amount", work, _("Dental amount"))
    if asked is None:
        _missing_data(work, _("The amount of the dental receipt is not given."))
    limit = p("dental.annual_limit")
    used = _decided_claims(person, Benefit.DENTAL, event_date.year).aggregate(total=Sum("amount"))["total"] or ZERO
    left = max(ZERO, limit - used)
    work.line(
        _("Dental: %(asked)s asked; %(used)s of the %(limit)s a year already paid in %(year)s: %(left)s left."),
        asked=money_lazy(asked),
        used=money_lazy(used),
        limit=money_lazy(limit),
        year=year_lazy(event_date.year),
        left=money_lazy(left),
    )
    if left <= 0:
        _refuse("limit_reached", _("The dental limit of %(year)s is used up."), year=year_lazy(event_date.year))
    return Outcome(eligible=True, amount=money_round(min(asked, left)))


def _maternity(person, event_date, details, dependant, p, work) -> Outcome:
    _alive_check(person, event_date, work)
    _insured(person, event_date, p, work, grace=True)
    _qualify(person, event_date, "maternity", p, work)
    daily, wage_lines, basis = _daily_wage(person.pk, event_date)
    work.lines.extend(wage_lines)
    lump = p("maternity.lump_sum")
    rate, days = p("maternity.cash_rate"), int(p("maternity.cash_days"))
    cash = daily * rate / HUNDRED * days
    children = _whole(details, "children", work, _("Children born")) or 1
    work.line(
        _("Lump sum %(lump)s for the birth (one per birth; children born: %(children)s)."),
        lump=money_lazy(lump),
        children=children,
    )
    work.line(
        _("Cash: %(daily)s x %(rate)s%% x %(days)s days = %(cash)s."),
        daily=basis,
        rate=_figure(rate),
        days=days,
        cash=money_lazy(money_round(cash)),
    )
    return Outcome(eligible=True, amount=money_round(lump + cash))


def _invalidity(person, event_date, details, dependant, p, work) -> Outcome:
    _alive_check(person, event_date, work)
    _insured(person, event_date, p, work, grace=True)
    _qualify(person, event_date, "invalidity", p, work)
    daily, wage_lines, basis = _daily_wage(person.pk, event_date)
    work.lines.extend(wage_lines)
    rate = p("invalidity.cash_rate")
    monthly = daily * 30 * rate / HUNDRED
    work.line(
        _("Monthly: %(daily)s x 30 x %(rate)s%% = %(monthly)s."),
        daily=basis,
        rate=_figure(rate),
        monthly=money_lazy(money_round(monthly)),
    )
    if details.get("severity") == "severe":
        work.line(_("Severe invalidity: paid monthly for life."))
    else:
        work.line(_("Not recorded as severe: paid monthly for the period the medical board sets (not computed here)."))
    return Outcome(eligible=True, amount=money_round(monthly), monthly=True, months=None)


def _death(person, event_date, details, dependant, p, work) -> Outcome:
    if person.died_on is None:
        _refuse("not_dead", _("The registry records no death for this person."))
    if person.died_on != event_date:
        work.lack(
            _("The event date %(day)s differs from the death on record, %(died)s: the death date is used."),
            day=date_lazy(event_date),
            died=date_lazy(person.died_on),
        )
        event_date = person.died_on
        p = functools.partial(parameter, on=event_date)
    _insured(person, event_date, p, work, grace=True)
    _qualify(person, event_date, "death", p, work)
    daily, wage_lines, basis = _daily_wage(person.pk, event_date)
    work.lines.extend(wage_lines)
    grant = p("death.funeral_grant")
    months_paid = len(_all_months(person.pk, event_date))
    if months_paid >= int(p("death.survivor_tier2_from_months")):
        wage_months = int(p("death.survivor_tier2_wage_months"))
    elif months_paid >= int(p("death.survivor_tier1_from_months")):
        wage_months = int(p("death.survivor_tier1_wage_months"))
    else:
        wage_months = 0
    survivor = daily * 30 * wage_months
    work.line(_("Funeral grant: %(grant)s."), grant=money_lazy(grant))
    work.line(
        _(
            "Survivor allowance: %(months_paid)s contribution months in all: %(wage_months)s months' wage "
            "x %(monthly)s = %(survivor)s."
        ),
        months_paid=months_paid,
        wage_months=wage_months,
        monthly=money_lazy(money_round(daily * 30)),
        survivor=money_lazy(money_round(survivor)),
    )
    return Outcome(eligible=True, amount=money_round(grant + survivor))


def _child_allowance(person, event_date, details, dependant, p, work) -> Outcome:
    if dependant is None or dependant.kind != Dependant.Kind.CHILD:
        _missing_data(work, _("The child the allowance is for is not given."))
    if dependant.person_id != person.pk:
        _missing_data(work, _("This child is not on this person's record."))
    _alive_check(person, event_date, work)
    _insured(person, event_date, p, work, grace=False)
    _qualify(person, event_date, "child_allowance", p, work)
    max_age = int(p("child_allowance.max_age_years"))
    turns = _anniversary(dependant.birth_date, max_age)
    if dependant.died_on is not None and dependant.died_on <= event_date:
        _refuse("child_deceased", _("The child died on %(died)s."), died=date_lazy(dependant.died_on))
    if event_date >= turns:
        _refuse(
            "child_too_old",
            _("The child, born on %(born)s, turned %(age)s on %(turns)s."),
            born=date_lazy(dependant.birth_date),
            age=max_age,
            turns=date_lazy(turns),
        )
    limit = int(p("child_allowance.max_children"))
    others = {
        claim.dependant
        for claim in Claim.objects.filter(
            person=person, benefit=Benefit.CHILD_ALLOWANCE, status__in=PENDING_OR_DECIDED, dependant__isnull=False
        )
        .exclude(dependant=dependant)
        .select_related("dependant")
    }
    # "Up to 3 children at once": a child past the age, or who died, no longer takes a place.
    current = [
        child
        for child in others
        if event_date < _anniversary(child.birth_date, max_age)
        and (child.died_on is None or child.died_on > event_date)
    ]
    work.line(
        _("Children already receiving or claiming the allowance: %(count)s of at most %(limit)s."),
        count=len(current),
        limit=limit,
    )
    if len(current) >= limit:
        _refuse("fourth_child", _("The allowance is paid for at most %(limit)s children at once."), limit=limit)
    amount = p("child_allowance.monthly")
    # The months that begin before the child's birthday, from the event month on.
    months = contribution_rules.months_between(period_of(event_date), period_of(turns)) - (1 if turns.day == 1 else 0)
    work.line(
        _("%(amount)s a month from %(first)s until the child turns %(age)s on %(turns)s: %(months)s months."),
        amount=money_lazy(amount),
        first=period_lazy(period_of(event_date)),
        age=max_age,
        turns=date_lazy(turns),
        months=months,
    )
    return Outcome(eligible=True, amount=money_round(amount), monthly=True, months=months)


def _old_age(person, event_date, details, dependant, p, work) -> Outcome:
    age = int(p("old_age.age"))
    if _age(person.birth_date, event_date) < age:
        _refuse(
            "too_young",
            _("Born on %(born)s: not yet %(age)s on %(day)s."),
            born=date_lazy(person.birth_date),
            age=age,
            day=date_lazy(event_date),
        )
    work.line(_("Age %(age)s on %(day)s."), age=_age(person.birth_date, event_date), day=date_lazy(event_date))
    spells = list(person.section_spells.all())
    s33_open = any(s.section == Section.S33 and (s.valid_to is None or s.valid_to > event_date) for s in spells)
    employed = (
        Employment.objects.filter(person=person, started_on__lte=event_date).exclude(ended_on__lte=event_date).exists()
    )
    if s33_open or employed:
        _refuse(
            "still_employed", _("Still insured under Section 33 (employed): the old-age benefit starts on leaving.")
        )
    if any(s.section == Section.S39 and s.covers(event_date) for s in spells):
        work.line(_("Section 39 insurance ends with the old-age claim."))

    months = _all_months(person.pk, event_date)
    if not months:
        if any(s.section == Section.S40 and s.covers(event_date) for s in spells):
            _refuse("section40", _("Insured under Section 40 only: Section 40 has its own old-age savings."))
        _refuse("no_contributions", _("No Section 33 or 39 contribution months on record."))
    minimum = int(p("old_age.pension_min_months"))
    work.line(
        _("%(count)s contribution months in all (%(first)s to %(last)s); %(minimum)s give a pension."),
        count=len(months),
        first=period_lazy(months[0]),
        last=period_lazy(months[-1]),
        minimum=minimum,
    )
    if len(months) >= minimum:
        average_of = int(p("old_age.average_wage_months"))
        wages = _month_wages(person.pk, None, period_add(period_of(event_date), 1))
        last = sorted(wages)[-average_of:]
        _capped_lines({period: wages[period] for period in last}, work)
        average = sum((wages[period][0] for period in last), ZERO) / average_of
        step_months = int(p("old_age.pension_step_months"))
        steps = (len(months) - minimum) // step_months
        rate = p("old_age.pension_rate") + p("old_age.pension_step_rate") * steps
        monthly = average * rate / HUNDRED
        work.line(
            _("Average wage of the last %(count)s contribution months (%(first)s to %(last)s): %(average)s."),
            count=average_of,
            first=period_lazy(last[0]),
            last=period_lazy(last[-1]),
            average=money_lazy(money_round(average)),
        )
        work.line(
            _(
                "Pension: %(base)s%% + %(step)s%% for each full %(step_months)s months beyond %(minimum)s "
                "(%(steps)s) = %(rate)s%%; %(average)s x %(rate)s%% = %(monthly)s a month for life."
            ),
            base=_figure(p("old_age.pension_rate")),
            step=_figure(p("old_age.pension_step_rate")),
            step_months=step_months,
            minimum=minimum,
            steps=steps,
            rate=_figure(rate),
            average=money_lazy(money_round(average)),
            monthly=money_lazy(money_round(monthly)),
        )
        return Outcome(eligible=True, amount=money_round(monthly), monthly=True, months=None)

    share = p("old_age.share_of_wage")
    wages = _month_wages(person.pk, None, period_add(period_of(event_date), 1))
    _capped_lines(wages, work)
    own = sum((capped for capped, _total, _rows in wages.values()), ZERO) * share / HUNDRED
    work.line(
        _("Lump sum: the person's old-age share, %(share)s%% of each month's wage: %(own)s."),
        share=_figure(share),
        own=money_lazy(money_round(own)),
    )
    employer = ZERO
    if len(months) >= int(p("old_age.lump_sum_own_only_below_months")):
        employed = ContributionMonth.objects.filter(
            person_id=person.pk, section=Section.S33, period__lte=period_of(event_date)
        ).values_list("period", flat=True)
        s33_periods = set(employed)
        employer = sum((wages[period][0] for period in s33_periods if period in wages), ZERO) * share / HUNDRED
        work.line(
            _("From %(months)s months, the employer's share of the Section 33 months too: %(employer)s."),
            months=int(p("old_age.lump_sum_own_only_below_months")),
            employer=money_lazy(money_round(employer)),
        )
    else:
        work.line(
            _("Under %(months)s months: the person's own share only."),
            months=int(p("old_age.lump_sum_own_only_below_months")),
        )
    work.line(_("Returns on the contributions are not computed here: the fund adds them."))
    return Outcome(eligible=True, amount=money_round(own + employer))


UNEMPLOYMENT_REASONS = {
    Employment.LeavingReason.LAID_OFF: "laid_off",
    Employment.LeavingReason.RESIGNED: "resigned",
    Employment.LeavingReason.CONTRACT_ENDED: "resigned",
}


def _unemployment(person, event_date, details, dependant, p, work) -> Outcome:
    spell = next((s for s in person.section_spells.all() if s.covers(event_date)), None)
    if spell is None:
        _refuse("not_insured", _("Not insured on the leaving date %(day)s."), day=date_lazy(event_date))
    if spell.section == Section.S40:
        _refuse("section40", _("Insured under Section 40: Section 40 has its own benefits."))
    if spell.section != Section.S33:
        _refuse(
            "not_section33",
            _("Insured under Section %(section)s on %(day)s: unemployment benefit is for Section 33 only."),
            section=spell.section,
            day=date_lazy(event_date),
        )
    work.line(_("Insured under Section 33 on the leaving date %(day)s."), day=date_lazy(event_date))
    if Employment.objects.filter(person=person, ended_on__isnull=True).exists():
        _refuse("still_employed", _("An employment is still open on record: the person is not out of work."))
    _qualify(person, event_date, "unemployment", p, work, sections=(Section.S33,))

    reason = details.get("reason") or ""
    leaving = Employment.objects.filter(person=person, ended_on__isnull=False).order_by("-ended_on").first()
    if leaving is not None and leaving.ended_on != event_date:
        work.lack(
            _("The last employment on record ended on %(ended)s, not on the leaving date %(day)s."),
            ended=date_lazy(leaving.ended_on),
            day=date_lazy(event_date),
        )
    if not reason and leaving is not None:
        reason = UNEMPLOYMENT_REASONS.get(leaving.leaving_reason, leaving.leaving_reason)
        if reason:
            work.line(
                _("Reason for leaving on record: %(reason)s."),
                reason=Employment.LeavingReason(leaving.leaving_reason).label
                if leaving.leaving_reason in Employment.LeavingReason.values
                else leaving.leaving_reason,
            )
    reason = UNEMPLOYMENT_REASONS.get(reason, reason)
    if not reason:
        _missing_data(work, _("The reason for leaving is not given or on record."))
    if reason not in ("laid_off", "resigned"):
        _refuse("reason_not_covered", _("Leaving for this reason (%(reason)s) is not covered."), reason=reason)

    min_days = int(p("unemployment.min_days_out"))
    today = _date(details, "today", work, _("Today")) or event_date + datetime.timedelta(days=min_days)
    out = (today - event_date).days
    if out < min_days:
        _refuse(
            "too_soon",
            _("Out of work %(out)s days by %(today)s: at least %(min)s needed."),
            out=out,
            today=date_lazy(today),
            min=min_days,
        )
    registered_on = _date(details, "registered_on", work, _("Registered with the Employment Department on"))
    if registered_on is None:
        _missing_data(work, _("The date of registering with the Employment Department is not given."))
    within = int(p("unemployment.registration_days"))
    late = (registered_on - event_date).days
    if late > within:
        _refuse(
            "late_registration",
            _("Registered with the Employment Department on %(on)s, %(late)s days after leaving: at most %(within)s."),
            on=date_lazy(registered_on),
            late=late,
            within=within,
        )
    work.line(
        _("Registered with the Employment Department on %(on)s, %(late)s days after leaving."),
        on=date_lazy(registered_on),
        late=max(late, 0),
    )

    rate = p(f"unemployment.{reason}_rate")
    days = int(p(f"unemployment.{reason}_days"))
    per_year = int(p("unemployment.max_days_per_year"))
    already = 0
    for claim in _decided_claims(person, Benefit.UNEMPLOYMENT, event_date.year).only("details", "months"):
        # Days of an earlier claim: as recorded, else its monthly payments of 30 days.
        recorded = (claim.details or {}).get("days_paid")
        already += int(recorded) if str(recorded or "").isdigit() else (claim.months or 0) * 30
    paid_days = max(0, min(days, per_year - already))
    work.line(
        _(
            "%(reason)s: %(rate)s%% of the wage for up to %(days)s days; %(already)s days already paid in %(year)s "
            "of %(per_year)s a year: %(paid)s days."
        ),
        reason=_("Laid off") if reason == "laid_off" else _("Resigned or contract ended"),
        rate=_figure(rate),
        days=days,
        already=already,
        year=year_lazy(event_date.year),
        per_year=per_year,
        paid=paid_days,
    )
    if paid_days <= 0:
        _refuse("days_exhausted", _("No unemployment days are left in %(year)s."), year=year_lazy(event_date.year))
    daily, wage_lines, basis = _daily_wage(person.pk, event_date)
    work.lines.extend(wage_lines)
    monthly = daily * 30 * rate / HUNDRED
    months = math.ceil(paid_days / 30)
    work.line(
        _("Monthly: %(daily)s x 30 x %(rate)s%% = %(monthly)s, for %(months)s months."),
        daily=basis,
        rate=_figure(rate),
        monthly=money_lazy(money_round(monthly)),
        months=months,
    )
    return Outcome(eligible=True, amount=money_round(monthly), monthly=True, months=months)


RULES = {
    Benefit.SICKNESS: _sickness,
    Benefit.DENTAL: _dental,
    Benefit.MATERNITY: _maternity,
    Benefit.INVALIDITY: _invalidity,
    Benefit.DEATH: _death,
    Benefit.CHILD_ALLOWANCE: _child_allowance,
    Benefit.OLD_AGE: _old_age,
    Benefit.UNEMPLOYMENT: _unemployment,
}


def examine(*, person, benefit: str, event_date: datetime.date, details: dict, dependant=None) -> Outcome:
    """The rules' answer to one claim, with the working. A missing parameter row raises
    `ValidationError` (an administrator must add it); everything about the person is an
    answer: eligible with the amount, or a refusal code, and what is missing."""
    rule = RULES.get(benefit)
    if rule is None:
        raise ValidationError({"benefit": ValidationError(_("Choose the benefit claimed."), code="invalid")})
    work = _Work()
    p = functools.partial(parameter, on=event_date)
    try:
        outcome = rule(person, event_date, dict(details or {}), dependant, p, work)
    except _Refusal as refusal:
        work.lines.append(refusal.message)
        return Outcome(eligible=False, amount=None, lines=work.lines, refusal_code=refusal.code, missing=work.missing)
    outcome.lines, outcome.missing = work.lines, work.missing
    return outcome
