"""The benefit rules (Social Security Act, Sections 33 and 39): who qualifies, and how much.

`examine` answers one claim: eligible or the refusal's stable code, the amount, and the
working the officer reads at the examine step (months found, wage base, days, caps). The
package's modules:

- `parameters`: every figure is a `BenefitParameter` row in force on the event date;
- `history`: the contribution months and wages (read through `contributions.selectors`),
  the daily wage and the qualifying months, the person's earlier decided claims;
- `cover`: insured on the event date (or within the cover after leaving), and alive;
- `working`: the outcome, the working's lines, refusals, the details read, money rounding;
- one module per group of benefits: `health` (sickness, dental, maternity, invalidity),
  `family` (death, child allowance), `old_age`, `unemployment`.
"""

import datetime
import functools

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from benefits.models import Benefit
from benefits.rules import family, health, medical, old_age, parameters, unemployment
from benefits.rules.working import Outcome, Refusal, Work

RULES = {
    Benefit.SICKNESS: health.sickness,
    Benefit.DENTAL: health.dental,
    Benefit.MATERNITY: health.maternity,
    Benefit.INVALIDITY: health.invalidity,
    Benefit.DEATH: family.death,
    Benefit.CHILD_ALLOWANCE: family.child_allowance,
    Benefit.OLD_AGE: old_age.old_age,
    Benefit.UNEMPLOYMENT: unemployment.unemployment,
    Benefit.MEDICAL: medical.medical,
}


# The section history each benefit's cover check reads, as the registry names the fact:
# `cover.insured` (a Section 33 or 39 spell) for all but unemployment, which is for Section
# 33 only (`unemployment.unemployment`). The data-completeness panel lists it with the
# documents' registry facts (`benefits.selectors.benefit_needs`).
COVER_FACT = {Benefit.UNEMPLOYMENT: "section_33"}
COVER_FACT_DEFAULT = "section_33_39"


def cover_fact(benefit: str) -> str:
    return COVER_FACT.get(benefit, COVER_FACT_DEFAULT)


def rules_cache_clear(**_kwargs) -> None:
    """Forget the parameter rows read (a row changed, or a test set its own)."""
    parameters.TABLES.clear()


def parameters_on(day: datetime.date):
    """The figures in force on `day`, as the rules read them (`p("key")`)."""
    return functools.partial(parameters.parameter, on=day)


def examine(*, person, benefit: str, event_date: datetime.date, details: dict, dependant=None) -> Outcome:
    """The rules' answer to one claim, with the working. A missing parameter row raises
    `ValidationError` (an administrator must add it); everything about the person is an
    answer: eligible with the amount, or a refusal code, and what is missing."""
    rule = RULES.get(benefit)
    if rule is None:
        raise ValidationError({"benefit": ValidationError(_("Choose the benefit claimed."), code="invalid")})
    work = Work()
    p = functools.partial(parameters.parameter, on=event_date)
    try:
        outcome = rule(person, event_date, dict(details or {}), dependant, p, work)
    except Refusal as refusal:
        work.lines.append(refusal.message)
        return Outcome(eligible=False, amount=None, lines=work.lines, refusal_code=refusal.code, missing=work.missing)
    outcome.lines, outcome.missing = work.lines, work.missing
    return outcome
