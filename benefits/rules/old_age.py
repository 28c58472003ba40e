"""The old-age benefit (Act s.76-77): a pension from 180 contribution months, a lump sum
below."""

from django.utils.translation import gettext_lazy as _

from benefits.rules.history import (
    all_months,
    capped_lines,
    month_wages,
)
from benefits.rules.working import (
    HUNDRED,
    ZERO,
    Outcome,
    figure,
    money_lazy,
    money_round,
    period_lazy,
    refuse,
)
from contributions import selectors as contributions
from registry import selectors as registry
from registry.selectors import Section
from sso.core.formats import date_lazy
from sso.core.months import age_on, month_add, month_first


def old_age(person, event_date, details, dependant, p, work) -> Outcome:
    age = int(p("old_age.age"))
    if age_on(person.birth_date, event_date) < age:
        refuse(
            "too_young",
            _("Born on %(born)s: not yet %(age)s on %(day)s."),
            born=date_lazy(person.birth_date),
            age=age,
            day=date_lazy(event_date),
        )
    work.line(_("Age %(age)s on %(day)s."), age=age_on(person.birth_date, event_date), day=date_lazy(event_date))
    spells = list(person.section_spells.all())
    s33_open = any(s.section == Section.S33 and (s.valid_to is None or s.valid_to > event_date) for s in spells)
    employed = registry.employed_on(person.pk, event_date)
    if s33_open or employed:
        refuse("still_employed", _("Still insured under Section 33 (employed): the old-age benefit starts on leaving."))
    if any(s.section == Section.S39 and s.covers(event_date) for s in spells):
        work.line(_("Section 39 insurance ends with the old-age claim."))

    months = all_months(person.pk, event_date)
    if not months:
        if any(s.section == Section.S40 and s.covers(event_date) for s in spells):
            refuse("section40", _("Insured under Section 40 only: Section 40 has its own old-age savings."))
        refuse("no_contributions", _("No Section 33 or 39 contribution months on record."))
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
        wages = month_wages(person.pk, None, month_add(month_first(event_date), 1))
        last = sorted(wages)[-average_of:]
        capped_lines({period: wages[period] for period in last}, work)
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
            base=figure(p("old_age.pension_rate")),
            step=figure(p("old_age.pension_step_rate")),
            step_months=step_months,
            minimum=minimum,
            steps=steps,
            rate=figure(rate),
            average=money_lazy(money_round(average)),
            monthly=money_lazy(money_round(monthly)),
        )
        return Outcome(eligible=True, amount=money_round(monthly), monthly=True, months=None)

    share = p("old_age.share_of_wage")
    wages = month_wages(person.pk, None, month_add(month_first(event_date), 1))
    capped_lines(wages, work)
    own = sum((capped for capped, _total, _rows in wages.values()), ZERO) * share / HUNDRED
    work.line(
        _("Lump sum: the person's old-age share, %(share)s%% of each month's wage: %(own)s."),
        share=figure(share),
        own=money_lazy(money_round(own)),
    )
    employer = ZERO
    if len(months) >= int(p("old_age.lump_sum_own_only_below_months")):
        s33_periods = set(
            contributions.paid_months(person.pk, sections=(Section.S33,), before=month_add(month_first(event_date), 1))
        )
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
