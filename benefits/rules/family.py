"""The benefits for the family: death (the funeral grant and the survivor allowance, Act
s.73) and the child allowance (Act s.75 bis)."""

import functools

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from benefits.models import Benefit, Claim
from benefits.rules.cover import alive_check, insured
from benefits.rules.history import (
    all_months,
    daily_wage_working,
    qualify,
)
from benefits.rules.parameters import parameter
from benefits.rules.working import (
    Outcome,
    anniversary,
    missing_data,
    money_lazy,
    money_round,
    period_lazy,
    refuse,
)
from registry import selectors as registry
from sso.core.formats import date_lazy
from sso.core.months import month_first, months_between

# The claims that may take one of the children's places: decided ones always do; a claim not
# yet decided does unless the rules refused it (see `_places_taken`). A rejected or withdrawn
# claim never does.
DECIDED = (Claim.Status.APPROVED, Claim.Status.PAID)
OPEN = (Claim.Status.RECORDED, Claim.Status.EXAMINED, Claim.Status.REFERRED)


def _places_taken(person, dependant):
    """The other children whose claims take a place beside this child's: approved or paid
    claims, and claims not yet decided that the rules did not refuse and that were recorded
    before this child's own open claim (the first claims come first, so re-examining a claim
    after its documents are brought never counts against it the claims recorded after it).
    A refused claim (examined, not eligible) takes no place."""
    claims = Claim.objects.filter(person=person, benefit=Benefit.CHILD_ALLOWANCE, dependant__isnull=False)
    own = (
        claims.filter(dependant=dependant, status__in=OPEN)
        .order_by("recorded_at")
        .values_list("recorded_at", flat=True)
        .first()
    )
    pending = Q(status__in=OPEN) & ~Q(eligible=False)
    if own is not None:
        pending &= Q(recorded_at__lt=own)
    taking = claims.filter(Q(status__in=DECIDED) | pending).exclude(dependant=dependant).select_related("dependant")
    return {claim.dependant for claim in taking}


def death(person, event_date, details, dependant, p, work) -> Outcome:
    if person.died_on is None:
        refuse("not_dead", _("The registry records no death for this person."))
    if person.died_on != event_date:
        work.lack(
            _("The event date %(day)s differs from the death on record, %(died)s: the death date is used."),
            day=date_lazy(event_date),
            died=date_lazy(person.died_on),
        )
        event_date = person.died_on
        p = functools.partial(parameter, on=event_date)
    insured(person, event_date, p, work, grace=True)
    qualify(person, event_date, "death", p, work)
    daily, wage_lines, basis = daily_wage_working(person.pk, event_date)
    work.lines.extend(wage_lines)
    grant = p("death.funeral_grant")
    months_paid = len(all_months(person.pk, event_date))
    if months_paid >= int(p("death.survivor_tier2_from_months")):
        wage_months = int(p("death.survivor_tier2_wage_months"))
    elif months_paid >= int(p("death.survivor_tier1_from_months")):
        wage_months = int(p("death.survivor_tier1_wage_months"))
    else:
        wage_months = 0
    month_days = p("cash.days_per_month")
    survivor = daily * month_days * wage_months
    work.line(_("Funeral grant: %(grant)s."), grant=money_lazy(grant))
    work.line(
        _(
            "Survivor allowance: %(months_paid)s contribution months in all: %(wage_months)s months' wage "
            "x %(monthly)s = %(survivor)s."
        ),
        months_paid=months_paid,
        wage_months=wage_months,
        monthly=money_lazy(money_round(daily * month_days)),
        survivor=money_lazy(money_round(survivor)),
    )
    return Outcome(eligible=True, amount=money_round(grant + survivor))


def child_allowance(person, event_date, details, dependant, p, work) -> Outcome:
    if dependant is None or dependant.kind != registry.DependantKind.CHILD:
        missing_data(work, _("The child the allowance is for is not given."))
    if dependant.person_id != person.pk:
        missing_data(work, _("This child is not on this person's record."))
    alive_check(person, event_date, work)
    insured(person, event_date, p, work, grace=False)
    qualify(person, event_date, "child_allowance", p, work)
    max_age = int(p("child_allowance.max_age_years"))
    turns = anniversary(dependant.birth_date, max_age)
    if dependant.died_on is not None and dependant.died_on <= event_date:
        refuse("child_deceased", _("The child died on %(died)s."), died=date_lazy(dependant.died_on))
    if event_date >= turns:
        refuse(
            "child_too_old",
            _("The child, born on %(born)s, turned %(age)s on %(turns)s."),
            born=date_lazy(dependant.birth_date),
            age=max_age,
            turns=date_lazy(turns),
        )
    limit = int(p("child_allowance.max_children"))
    others = _places_taken(person, dependant)
    # "Up to 3 children at once": a child past the age, or who died, no longer takes a place.
    current = [
        child
        for child in others
        if event_date < anniversary(child.birth_date, max_age) and (child.died_on is None or child.died_on > event_date)
    ]
    work.line(
        _("Children already receiving or claiming the allowance: %(count)s of at most %(limit)s."),
        count=len(current),
        limit=limit,
    )
    if len(current) >= limit:
        refuse("fourth_child", _("The allowance is paid for at most %(limit)s children at once."), limit=limit)
    amount = p("child_allowance.monthly")
    # The months that begin before the child's birthday, from the event month on.
    months = months_between(month_first(event_date), month_first(turns)) - (1 if turns.day == 1 else 0)
    work.line(
        _("%(amount)s a month from %(first)s until the child turns %(age)s on %(turns)s: %(months)s months."),
        amount=money_lazy(amount),
        first=period_lazy(month_first(event_date)),
        age=max_age,
        turns=date_lazy(turns),
        months=months,
    )
    return Outcome(eligible=True, amount=money_round(amount), monthly=True, months=months)
