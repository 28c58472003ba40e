"""The unemployment benefit (Act s.78-79): laid off or resigned, registered with the
Employment Department, out of work long enough."""

import datetime
import math

from django.utils.translation import gettext_lazy as _

from benefits.models import Benefit
from benefits.rules.history import (
    daily_wage_working,
    decided_claims,
    qualify,
)
from benefits.rules.working import (
    HUNDRED,
    Outcome,
    detail_date,
    figure,
    missing_data,
    money_lazy,
    money_round,
    refuse,
    year_lazy,
)
from registry import selectors as registry
from registry.selectors import Section
from sso.core.formats import date_lazy

UNEMPLOYMENT_REASONS = {
    registry.LeavingReason.LAID_OFF: "laid_off",
    registry.LeavingReason.RESIGNED: "resigned",
    registry.LeavingReason.CONTRACT_ENDED: "resigned",
}


def unemployment(person, event_date, details, dependant, p, work) -> Outcome:
    spell = next((s for s in person.section_spells.all() if s.covers(event_date)), None)
    if spell is None:
        refuse("not_insured", _("Not insured on the leaving date %(day)s."), day=date_lazy(event_date))
    if spell.section == Section.S40:
        refuse("section40", _("Insured under Section 40: Section 40 has its own benefits."))
    if spell.section != Section.S33:
        refuse(
            "not_section33",
            _("Insured under Section %(section)s on %(day)s: unemployment benefit is for Section 33 only."),
            section=spell.section,
            day=date_lazy(event_date),
        )
    work.line(_("Insured under Section 33 on the leaving date %(day)s."), day=date_lazy(event_date))
    if registry.employment_open_exists(person.pk):
        refuse("still_employed", _("An employment is still open on record: the person is not out of work."))
    qualify(person, event_date, "unemployment", p, work, sections=(Section.S33,))

    reason = details.get("reason") or ""
    leaving = registry.employment_last_ended(person.pk)
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
                reason=registry.LeavingReason(leaving.leaving_reason).label
                if leaving.leaving_reason in registry.LeavingReason.values
                else leaving.leaving_reason,
            )
    reason = UNEMPLOYMENT_REASONS.get(reason, reason)
    if not reason:
        missing_data(work, _("The reason for leaving is not given or on record."))
    if reason not in ("laid_off", "resigned"):
        refuse("reason_not_covered", _("Leaving for this reason (%(reason)s) is not covered."), reason=reason)

    min_days = int(p("unemployment.min_days_out"))
    today = detail_date(details, "today", work, _("Today")) or event_date + datetime.timedelta(days=min_days)
    out = (today - event_date).days
    if out < min_days:
        refuse(
            "too_soon",
            _("Out of work %(out)s days by %(today)s: at least %(min)s needed."),
            out=out,
            today=date_lazy(today),
            min=min_days,
        )
    registered_on = detail_date(details, "registered_on", work, _("Registered with the Employment Department on"))
    if registered_on is None:
        missing_data(work, _("The date of registering with the Employment Department is not given."))
    within = int(p("unemployment.registration_days"))
    late = (registered_on - event_date).days
    if late > within:
        refuse(
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
    month_days = p("cash.days_per_month")
    already = 0
    for claim in decided_claims(person, Benefit.UNEMPLOYMENT, event_date.year).only("details", "months"):
        # Days of an earlier claim: as recorded, else its monthly payments of a month's days.
        recorded = (claim.details or {}).get("days_paid")
        already += int(recorded) if str(recorded or "").isdigit() else (claim.months or 0) * int(month_days)
    paid_days = max(0, min(days, per_year - already))
    work.line(
        _(
            "%(reason)s: %(rate)s%% of the wage for up to %(days)s days; %(already)s days already paid in %(year)s "
            "of %(per_year)s a year: %(paid)s days."
        ),
        reason=_("Laid off") if reason == "laid_off" else _("Resigned or contract ended"),
        rate=figure(rate),
        days=days,
        already=already,
        year=year_lazy(event_date.year),
        per_year=per_year,
        paid=paid_days,
    )
    if paid_days <= 0:
        refuse("days_exhausted", _("No unemployment days are left in %(year)s."), year=year_lazy(event_date.year))
    daily, wage_lines, basis = daily_wage_working(person.pk, event_date)
    work.lines.extend(wage_lines)
    monthly = daily * month_days * rate / HUNDRED
    months = math.ceil(paid_days / month_days)
    work.line(
        _("Monthly: %(daily)s x %(days)s x %(rate)s%% = %(monthly)s, for %(months)s months."),
        daily=basis,
        days=figure(month_days),
        rate=figure(rate),
        monthly=money_lazy(money_round(monthly)),
        months=months,
    )
    return Outcome(eligible=True, amount=money_round(monthly), monthly=True, months=months)
