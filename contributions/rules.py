"""The contribution rules: which rate row applies to a wage period, the per-person
computation, the rounding and the late surcharge. The figures are rows of the
effective-dated tables in `contributions.models`; this module only applies them.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contributions.models import CollectionRule, ContributionRate, Section40Option, SurchargeRule, VoluntaryRate
from sso.core.formats import lazy_format, month_numeric_lazy
from sso.core.months import month_add
from sso.core.tables import TableCache

HUNDRED = Decimal(100)
BAHT = Decimal(1)
SATANG = Decimal("0.01")


def contribution_round(amount: Decimal) -> Decimal:
    """Whole baht per person: a fraction of 0.50 THB or more rounds up, less is dropped
    (SSO practice on form SSO 1-10: 1,650 x 5% = 82.50 -> 83)."""
    return amount.quantize(BAHT, rounding=ROUND_HALF_UP).quantize(SATANG)


# The rule tables hold a few rows and change rarely, but every statement and payment reads
# them: each process keeps them for a minute (apps.py watches the models).
TABLES = TableCache(seconds=60)


def rules_cache_clear(**_kwargs) -> None:
    TABLES.clear()


def _rows(model) -> list:
    return TABLES.get(model, lambda: list(model.objects.all()))


def _in_force(model, period: datetime.date, **match):
    """The latest row of `model` in force for the wage period, among the rows matching `match`."""
    rows = [
        row
        for row in _rows(model)
        if row.valid_from <= period
        and (row.valid_to is None or row.valid_to >= period)
        and all(getattr(row, name) == value for name, value in match.items())
    ]
    return max(rows, key=lambda row: row.valid_from, default=None)


def _missing(what, period):
    raise ValidationError(
        lazy_format(
            _("No %(what)s is in force for the wage period %(period)s: an administrator must add it."),
            {"what": what, "period": month_numeric_lazy(period)},
        ),
        code="no_rule",
    )


def rate_for(period: datetime.date, province_id: int | None = None) -> ContributionRate:
    """The Section 33 rate row for a wage period: a province's own row (a temporary cut
    there) wins over the national one."""
    rate = _in_force(ContributionRate, period, province_id=province_id) if province_id else None
    if rate is None:
        rate = _in_force(ContributionRate, period, province_id=None)
    if rate is None:
        _missing(_("contribution rate"), period)
    return rate


@dataclass(frozen=True)
class LineAmounts:
    contribution_wage: Decimal
    employee: Decimal
    employer: Decimal
    government: Decimal


def line_compute(wage: Decimal, rate) -> LineAmounts:
    """One employee's shares: each rate times the wage clamped to the floor and ceiling,
    rounded per person (Social Security Act s.46-47; see `contribution_round`)."""
    base = min(max(wage, rate.wage_floor), rate.wage_ceiling)
    return LineAmounts(
        contribution_wage=base,
        employee=contribution_round(base * rate.employee_rate / HUNDRED),
        employer=contribution_round(base * rate.employer_rate / HUNDRED),
        government=contribution_round(base * rate.government_rate / HUNDRED),
    )


def section39_rate_for(period: datetime.date) -> VoluntaryRate:
    rate = _in_force(VoluntaryRate, period)
    if rate is None:
        _missing(_("Section 39 rate"), period)
    return rate


def section39_amount(period: datetime.date) -> Decimal:
    """The monthly Section 39 contribution: the rate times the fixed base (9% of 4,800 = 432)."""
    rate = section39_rate_for(period)
    return contribution_round(rate.section39_base * rate.section39_rate / HUNDRED)


def section40_option_for(period: datetime.date, option: int) -> Section40Option:
    row = _in_force(Section40Option, period, option=option)
    if row is None:
        _missing(lazy_format(_("Section 40 option %(option)s"), {"option": option}), period)
    return row


def surcharge_rule_for(period: datetime.date) -> SurchargeRule:
    rule = _in_force(SurchargeRule, period)
    if rule is None:
        _missing(_("surcharge rule"), period)
    return rule


def collection_rule_for(period: datetime.date) -> CollectionRule:
    """The working figures in force for a wage period: the voluntary payment's months at once,
    the back office's cross-check thresholds."""
    rule = _in_force(CollectionRule, period)
    if rule is None:
        _missing(_("collection rule"), period)
    return rule


def due_date(period: datetime.date, rule: SurchargeRule) -> datetime.date:
    """The last day to file and pay: the due day of the month after the wage month."""
    return month_add(period, 1).replace(day=rule.due_day)


@dataclass(frozen=True)
class Surcharge:
    due_on: datetime.date
    months: int
    amount: Decimal


def surcharge_compute(period: datetime.date, unpaid: Decimal, paid_on: datetime.date, rule=None) -> Surcharge:
    """The late surcharge on `unpaid` when paid on `paid_on` (Act s.49: a monthly rate on the
    unpaid contribution from the day after the due date). Months are counted from that day;
    whether a started month counts whole is the rule's parameter. Rounded to the satang."""
    rule = rule or surcharge_rule_for(period)
    due = due_date(period, rule)
    if paid_on <= due or unpaid <= 0:
        return Surcharge(due, 0, Decimal("0.00"))
    start = due + datetime.timedelta(days=1)
    full = (paid_on.year - start.year) * 12 + paid_on.month - start.month - (1 if paid_on.day < start.day else 0)
    months = full + 1 if rule.started_month_counts else full
    amount = (unpaid * rule.monthly_rate / HUNDRED * months).quantize(SATANG, rounding=ROUND_HALF_UP)
    return Surcharge(due, months, amount)
