"""The benefits of illness and birth (Act s.62-67): sickness, dental care, maternity and
invalidity."""

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from benefits.models import Benefit
from benefits.rules.cover import alive_check, insured
from benefits.rules.history import (
    daily_wage_working,
    decided_claims,
    qualify,
)
from benefits.rules.working import (
    HUNDRED,
    ZERO,
    Outcome,
    detail_decimal,
    detail_whole,
    figure,
    missing_data,
    money_lazy,
    money_round,
    refuse,
    year_lazy,
)


def sickness(person, event_date, details, dependant, p, work) -> Outcome:
    alive_check(person, event_date, work)
    insured(person, event_date, p, work, grace=True)
    qualify(person, event_date, "sickness", p, work)
    daily, wage_lines, basis = daily_wage_working(person.pk, event_date)
    work.lines.extend(wage_lines)

    per_claim = int(p("sickness.max_days_per_claim"))
    chronic = bool(details.get("chronic"))
    per_year = int(p("sickness.max_days_per_year_chronic" if chronic else "sickness.max_days_per_year"))
    days_off = detail_whole(details, "days_off", work, _("Days off work"))
    days_off = days_off or 0
    already = 0
    for claim in decided_claims(person, Benefit.SICKNESS, event_date.year).only("details"):
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
        rate=figure(rate),
        days=days,
        cash=money_lazy(money_round(cash)),
    )
    expenses = detail_decimal(details, "medical_expenses", work, _("Medical expenses")) or ZERO
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
        refuse(
            "days_exhausted",
            _("No sickness days are left in %(year)s: %(already)s of %(per_year)s already paid."),
            year=year_lazy(event_date.year),
            already=already,
            per_year=per_year,
        )
    return Outcome(eligible=True, amount=money_round(cash + reimbursed))


def dental(person, event_date, details, dependant, p, work) -> Outcome:
    # Dental care is part of the sickness benefit: the same cover after leaving.
    alive_check(person, event_date, work)
    insured(person, event_date, p, work, grace=True)
    qualify(person, event_date, "dental", p, work)
    asked = detail_decimal(details, "amount", work, _("Dental amount"))
    if asked is None:
        missing_data(work, _("The amount of the dental receipt is not given."))
    limit = p("dental.annual_limit")
    used = decided_claims(person, Benefit.DENTAL, event_date.year).aggregate(total=Sum("amount"))["total"] or ZERO
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
        refuse("limit_reached", _("The dental limit of %(year)s is used up."), year=year_lazy(event_date.year))
    return Outcome(eligible=True, amount=money_round(min(asked, left)))


def maternity(person, event_date, details, dependant, p, work) -> Outcome:
    alive_check(person, event_date, work)
    insured(person, event_date, p, work, grace=True)
    qualify(person, event_date, "maternity", p, work)
    daily, wage_lines, basis = daily_wage_working(person.pk, event_date)
    work.lines.extend(wage_lines)
    lump = p("maternity.lump_sum")
    rate, days = p("maternity.cash_rate"), int(p("maternity.cash_days"))
    cash = daily * rate / HUNDRED * days
    children = detail_whole(details, "children", work, _("Children born")) or 1
    work.line(
        _("Lump sum %(lump)s for the birth (one per birth; children born: %(children)s)."),
        lump=money_lazy(lump),
        children=children,
    )
    work.line(
        _("Cash: %(daily)s x %(rate)s%% x %(days)s days = %(cash)s."),
        daily=basis,
        rate=figure(rate),
        days=days,
        cash=money_lazy(money_round(cash)),
    )
    return Outcome(eligible=True, amount=money_round(lump + cash))


def invalidity(person, event_date, details, dependant, p, work) -> Outcome:
    alive_check(person, event_date, work)
    insured(person, event_date, p, work, grace=True)
    qualify(person, event_date, "invalidity", p, work)
    daily, wage_lines, basis = daily_wage_working(person.pk, event_date)
    work.lines.extend(wage_lines)
    rate = p("invalidity.cash_rate")
    month_days = p("cash.days_per_month")
    monthly = daily * month_days * rate / HUNDRED
    work.line(
        _("Monthly: %(daily)s x %(days)s x %(rate)s%% = %(monthly)s."),
        daily=basis,
        days=figure(month_days),
        rate=figure(rate),
        monthly=money_lazy(money_round(monthly)),
    )
    if details.get("severity") == "severe":
        work.line(_("Severe invalidity: paid monthly for life."))
    else:
        work.line(_("Not recorded as severe: paid monthly for the period the medical board sets (not computed here)."))
    return Outcome(eligible=True, amount=money_round(monthly), monthly=True, months=None)
