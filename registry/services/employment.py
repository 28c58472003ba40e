"""Employment: a new employee (form SSO 1-03) and an employee leaving (SSO 6-09)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from registry import selectors
from registry.models import (
    Branch,
    Employer,
    Employment,
    InsuredPerson,
    Section,
)
from registry.services.common import checked, today
from registry.services.persons import hospital_change, person_create, person_update
from registry.services.sections import section_close, section_open
from registry.validators import (
    national_id_clean,
)
from sso.core.formats import date_lazy, lazy_format
from sso.core.records import refuse, stamp

# What the officer chose for someone already insured whose record differs from the form.
EXISTING_PERSON_CHOICES = ("keep", "update")


@transaction.atomic
def employee_register(
    *,
    officer,
    employer: Employer,
    branch: Branch | None = None,
    started_on: datetime.date,
    national_id: str,
    id_type: str = InsuredPerson.IdType.PIN,
    monthly_wage: Decimal | None = None,
    hospital=None,
    filed_on: datetime.date | None = None,
    existing_person: str | None = None,
    **person_fields,
) -> Employment:
    """Form SSO 1-03 (or 1-03/1 for someone already insured): an employee starts work.

    Due within the rule's number of days of hiring; a later filing is accepted and flagged.
    The person's Section 33 spell opens on the hire date (closing a Section 39/40 spell).

    Someone already insured keeps their record and the office that keeps it (a person is
    national; the employment is the employer's office's). When the personal fields typed
    differ from their record (`selectors.person_differences`), the officer chooses:
    `existing_person="keep"` leaves the record as it is, `"update"` corrects it with the
    typed values (audited, as `person_update`); with no choice the filing is refused and
    nothing is stored.
    """
    filed_on = filed_on or today()
    national_id = checked("national_id", national_id_clean, national_id, id_type)
    if started_on > filed_on:
        refuse("started_on", _("The hire date cannot be in the future."), "future")
    if employer.status != Employer.Status.ACTIVE:
        refuse(
            "employer",
            lazy_format(_("Employer %(account)s has ceased business."), {"account": employer.account_number}),
        )
    if started_on < employer.registered_on:
        refuse("started_on", _("The hire date is before the employer was registered."), "order")
    branch = branch or employer.branches.filter(number=Branch.HEAD_OFFICE).first()
    if branch is None or branch.employer_id != employer.pk:
        refuse("branch", _("The branch does not belong to this employer."), "branch")
    if monthly_wage is not None and monthly_wage < 0:
        refuse("monthly_wage", _("The wage cannot be negative."), "negative")
    rule = selectors.registration_rule(filed_on)

    person = InsuredPerson.objects.select_for_update().filter(national_id=national_id).first()
    if person is None:
        person = person_create(
            officer=officer,
            national_id=national_id,
            id_type=id_type,
            office=employer.responsible_office,
            registered_on=filed_on,
            **person_fields,
        )
    else:
        if person.status == InsuredPerson.Status.DECEASED:
            refuse("national_id", _("This person is recorded as deceased."), "deceased")
        if person.status == InsuredPerson.Status.MERGED:
            refuse("national_id", _("This record was merged; register against the surviving record."), "merged")
        if person.employments.filter(employer=employer, ended_on__isnull=True).exists():
            refuse("national_id", _("This person is already employed by this employer."), "already_employed")
        if person.employments.filter(employer=employer, ended_on__gte=started_on).exists():
            refuse("started_on", _("The hire date overlaps an earlier spell with this employer."), "overlap")
        differences = selectors.person_differences(person, person_fields)
        if existing_person not in (None, *EXISTING_PERSON_CHOICES):
            refuse("existing_person", _("Choose to keep the record or to update it."), "invalid")
        if differences and existing_person is None:
            refuse(
                "existing_person",
                lazy_format(
                    _(
                        "This person is already insured and their record differs from the form (%(fields)s): "
                        "keep the record as it is, or update it with the form."
                    ),
                    {"fields": ", ".join(difference.label for difference in differences)},
                ),
                "differs",
            )
        if differences and existing_person == "update":
            person = person_update(
                officer=officer,
                person=person,
                **{difference.field: person_fields[difference.field] for difference in differences},
            )
    late = (filed_on - started_on).days > rule.employee_registration_days
    employment = stamp(
        Employment(
            person=person,
            employer=employer,
            branch=branch,
            started_on=started_on,
            monthly_wage=monthly_wage,
            registered_on=filed_on,
            late_registration=late,
        ),
        officer,
    )
    employment.save()
    current = person.section_spells.filter(valid_to__isnull=True).first()
    if current is None or current.section != Section.S33:
        section_open(person=person, section=Section.S33, valid_from=started_on, officer=officer)
    if person.status != InsuredPerson.Status.ACTIVE:
        person.status = InsuredPerson.Status.ACTIVE
        stamp(person, officer).save(update_fields=["status"])
    if hospital is not None:
        hospital_change(officer=officer, person=person, hospital=hospital, valid_from=started_on)
    return employment


@transaction.atomic
def employee_leave(
    *,
    officer,
    employment: Employment,
    ended_on: datetime.date,
    reason: str,
    notified_on: datetime.date | None = None,
) -> Employment:
    """Form SSO 6-09: an employee left. When no other employment stays open, Section 33 ends."""
    notified_on = notified_on or today()
    employment = Employment.objects.select_for_update().select_related("person").get(pk=employment.pk)
    if employment.ended_on is not None:
        refuse(
            "ended_on",
            lazy_format(
                _("This employee's leaving was already notified (left on %(day)s)."),
                {"day": date_lazy(employment.ended_on)},
            ),
            "already_left",
        )
    if reason not in Employment.LeavingReason.values:
        refuse("leaving_reason", _("Choose the reason for leaving."), "required")
    if ended_on > notified_on:
        refuse("ended_on", _("The leaving date cannot be in the future."), "future")
    if ended_on < employment.started_on:
        refuse("ended_on", _("The leaving date is before the hire date."), "order")
    employment.ended_on, employment.leaving_reason, employment.leaving_notified_on = ended_on, reason, notified_on
    stamp(employment, officer).save(update_fields=["ended_on", "leaving_reason", "leaving_notified_on"])

    person = InsuredPerson.objects.select_for_update().get(pk=employment.person_id)
    if reason == Employment.LeavingReason.DIED:
        person.employments.filter(ended_on__isnull=True).exclude(pk=employment.pk).update(
            ended_on=ended_on, leaving_reason=Employment.LeavingReason.DIED, leaving_notified_on=notified_on
        )
        section_close(person=person, on=ended_on, officer=officer)
        person.status, person.died_on = InsuredPerson.Status.DECEASED, ended_on
        stamp(person, officer).save(update_fields=["status", "died_on"])
    elif not person.employments.filter(ended_on__isnull=True).exists():
        section_close(person=person, on=ended_on, officer=officer)
        person.status = InsuredPerson.Status.CEASED
        stamp(person, officer).save(update_fields=["status"])
    return employment
