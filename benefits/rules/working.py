"""The working of an examination: the outcome, the lines the officer reads (in the reader's
language: B.E. years and baht in Thai), the refusal with its stable code, the details read
from the claim, and the one rounding of an amount.

Money is Decimal. The daily wage is kept exact inside a computation and each amount is
rounded once, at its end, to the satang half-up (`money_round`): 3 x 17,500 / 90 x 30 x 50%
is 8,750.00 a month, not 8,749.99.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sso.core.formats import BE_OFFSET, lazy_format, money_display
from sso.core.months import date_add_months

HUNDRED = Decimal(100)
SATANG = Decimal("0.01")
ZERO = Decimal(0)


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


def figure(value: Decimal) -> str:
    """A rate or count as written: 50, 1.5 (not 5E+1 or 50.0000)."""
    return f"{value.normalize():f}"


def anniversary(day: datetime.date, years: int) -> datetime.date:
    return date_add_months(day, 12 * years)


class Refusal(Exception):
    """A rule refuses the claim: its stable code and the message shown."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code, self.message = code, message


@dataclass
class Work:
    """The working of one examination: the lines shown, and what is missing or contradictory."""

    lines: list = field(default_factory=list)
    missing: list = field(default_factory=list)

    def line(self, message, **params):
        self.lines.append(lazy_format(message, params) if params else message)

    def lack(self, message, **params):
        self.missing.append(lazy_format(message, params) if params else message)


def refuse(code: str, message, **params):
    """Refuse the claim with `code` (the rules' answer, not an error of the officer's)."""
    raise Refusal(code, lazy_format(message, params) if params else message)


# The details read from the claim -----------------------------------------------------------


def detail_decimal(details: dict, key: str, work: Work, label) -> Decimal | None:
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


def detail_whole(details: dict, key: str, work: Work, label) -> int | None:
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


def detail_date(details: dict, key: str, work: Work, label) -> datetime.date | None:
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


def missing_data(work: Work, message, **params):
    work.lack(message, **params)
    refuse("missing_data", _("The claim lacks data needed to decide it."))
