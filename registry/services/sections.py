"""The section history: Section 33 opened and closed with employment, Section 39 after leaving,
Section 40 for the self-employed."""

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from registry import selectors
from registry.models import (
    InsuredPerson,
    Section,
    SectionSpell,
)
from registry.services.common import DAY, checked, today
from registry.services.persons import person_create
from registry.validators import (
    national_id_clean,
)
from sso.core import providers
from sso.core.formats import date_lazy, lazy_format
from sso.core.months import age_on, date_add_months, month_add, month_first
from sso.core.records import refuse, stamp


def section_open(*, person, section, valid_from, officer, s40_option=None):
    """Close the person's open section spell the day before `valid_from` and open a new one."""
    current = person.section_spells.filter(valid_to__isnull=True).first()
    if current is not None:
        if current.section == section and current.s40_option == s40_option:
            return current
        if current.valid_from >= valid_from:
            refuse("valid_from", _("A section history entry already starts on or after this date."), "order")
        current.valid_to = valid_from - DAY
        stamp(current, officer).save(update_fields=["valid_to"])
    spell = stamp(SectionSpell(person=person, section=section, s40_option=s40_option, valid_from=valid_from), officer)
    spell.save()
    return spell


def section_close(*, person, on: datetime.date, officer):
    current = person.section_spells.filter(valid_to__isnull=True).first()
    if current is not None:
        current.valid_to = max(on, current.valid_from)
        stamp(current, officer).save(update_fields=["valid_to"])


@transaction.atomic
def section39_apply(*, officer, person: InsuredPerson, applied_on: datetime.date | None = None) -> SectionSpell:
    """A former employee continues voluntarily under Section 39.

    Allowed with at least the rule's months (12) of Section 33 contributions paid and within
    its months (6) of leaving; cover runs on from the day after the Section 33 spell ended.
    """
    applied_on = applied_on or today()
    person = InsuredPerson.objects.select_for_update().get(pk=person.pk)
    rule = selectors.registration_rule(applied_on)
    if person.status in (InsuredPerson.Status.DECEASED, InsuredPerson.Status.MERGED):
        refuse("person", _("This record is closed (deceased or merged)."), "closed")
    if person.employments.filter(ended_on__isnull=True).exists():
        refuse("person", _("The person is still employed: Section 33 cover continues."), "employed")
    current = person.section_spells.filter(valid_to__isnull=True).first()
    if current is not None:
        refuse(
            "person",
            lazy_format(
                _("The person is already insured under %(section)s."), {"section": Section(current.section).label}
            ),
            "insured",
        )
    last_s33 = person.section_spells.filter(section=Section.S33).order_by("-valid_to").first()
    # Months paid (contributions answers), not months on record: an employee whose employer
    # never paid has no Section 33 contributions.
    months = providers.ask(
        providers.PAID_MONTHS_COUNT,
        person.pk,
        sections=(Section.S33,),
        before=month_add(month_first(applied_on), 1),
    )
    if last_s33 is None or months < rule.s39_min_s33_months:
        refuse(
            "person",
            lazy_format(
                _(
                    "Section 39 needs at least %(needed)s months of Section 33 contributions; "
                    "this person has %(months)s."
                ),
                {"needed": rule.s39_min_s33_months, "months": months},
            ),
            "months",
        )
    deadline = date_add_months(last_s33.valid_to, rule.s39_apply_within_months)
    if applied_on > deadline:
        refuse(
            "applied_on",
            lazy_format(
                _("Section 39 must be applied for within %(months)s months of leaving (by %(deadline)s)."),
                {"months": rule.s39_apply_within_months, "deadline": date_lazy(deadline)},
            ),
            "late",
        )
    spell = section_open(person=person, section=Section.S39, valid_from=last_s33.valid_to + DAY, officer=officer)
    person.status, person.office = InsuredPerson.Status.ACTIVE, officer.office or person.office
    stamp(person, officer).save(update_fields=["status", "office"])
    return spell


@transaction.atomic
def section40_register(
    *,
    officer,
    option: int,
    applied_on: datetime.date | None = None,
    person: InsuredPerson | None = None,
    national_id: str = "",
    id_type: str = InsuredPerson.IdType.PIN,
    **person_fields,
) -> SectionSpell:
    """An informal worker joins Section 40 with an option (1, 2 or 3), or changes option.

    Only for people not insured under Section 33 or 39, within the rule's age range.
    """
    applied_on = applied_on or today()
    rule = selectors.registration_rule(applied_on)
    if option not in (1, 2, 3):
        refuse("s40_option", _("Choose option 1, 2 or 3."), "option")
    if person is None:
        national_id = checked("national_id", national_id_clean, national_id, id_type)
        person = InsuredPerson.objects.filter(national_id=national_id).first()
    if person is not None:
        person = InsuredPerson.objects.select_for_update().get(pk=person.pk)
        if person.status in (InsuredPerson.Status.DECEASED, InsuredPerson.Status.MERGED):
            refuse("person", _("This record is closed (deceased or merged)."), "closed")
        current = person.section_spells.filter(valid_to__isnull=True).first()
        if current is not None and current.section != Section.S40:
            refuse(
                "person",
                lazy_format(
                    _("The person is insured under %(section)s and cannot join Section 40."),
                    {"section": Section(current.section).label},
                ),
                "insured",
            )
        birth_date = person.birth_date
    else:
        birth_date = person_fields.get("birth_date")
    if birth_date is not None:
        age = age_on(birth_date, applied_on)
        if not rule.s40_min_age <= age <= rule.s40_max_age:
            refuse(
                "birth_date",
                lazy_format(
                    _("Section 40 is open from age %(low)s to %(high)s; this person is %(age)s."),
                    {"low": rule.s40_min_age, "high": rule.s40_max_age, "age": age},
                ),
                "age",
            )
    if person is None:
        person = person_create(
            officer=officer,
            national_id=national_id,
            id_type=id_type,
            office=officer.office,
            registered_on=applied_on,
            **person_fields,
        )
    spell = section_open(person=person, section=Section.S40, s40_option=option, valid_from=applied_on, officer=officer)
    if person.status != InsuredPerson.Status.ACTIVE:
        person.status = InsuredPerson.Status.ACTIVE
        stamp(person, officer).save(update_fields=["status"])
    return spell
