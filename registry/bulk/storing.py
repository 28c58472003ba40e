"""Storing a checked upload in one transaction: persons, employment spells and Section 33
spells by bulk insert, with their audit rows (`history_copy`)."""

import datetime

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from registry import selectors
from registry.bulk.checking import Checked, chunks
from registry.bulk.layout import BATCH, DAY
from registry.models import (
    Employer,
    Employment,
    InsuredPerson,
    Section,
    SectionSpell,
)
from sso.core.audit import history_copy


def _bulk_create_audited(model, objs, *, officer, when) -> list:
    """`bulk_create` and the audit rows simple_history's save signal would have written."""
    created = model._default_manager.bulk_create(objs, batch_size=BATCH)
    if created:
        history_copy(model, [obj.pk for obj in created], history_type="+", officer=officer, when=when)
    return created


def upload_store(*, employer: Employer, checked: Checked, officer, today: datetime.date, progress=None) -> int:
    """Store the checked lines: new persons, employments, Section 33 spells, with their audit
    rows (who and from which office). Call inside the transaction of `upload_check`."""
    rule = selectors.registration_rule(today)
    when = timezone.now()
    audit = {"default_user": officer, "custom_historical_attrs": {"history_office_id": officer.office_id}}
    office_id = employer.responsible_office_id
    total = 2 * max(len(checked.lines), 1)  # persons first, then employments and spells
    done = 0

    def step(count):
        nonlocal done
        done += count
        if progress:
            progress(done / total)

    new_lines = [line for line in checked.lines if line.national_id not in checked.existing]
    persons = {}
    for chunk in chunks(new_lines, BATCH):
        created = _bulk_create_audited(
            InsuredPerson,
            [
                InsuredPerson(
                    national_id=line.national_id,
                    id_type=line.id_type,
                    office_id=office_id,
                    registered_on=today,
                    status=InsuredPerson.Status.ACTIVE,
                    **line.person,
                )
                for line in chunk
            ],
            officer=officer,
            when=when,
        )
        persons.update((person.national_id, person) for person in created)
        step(len(chunk))

    # Existing persons (another employer's, or Section 39/40): back to active, and their
    # Section 39/40 spell closed the day before the hire. Their record and the office that
    # keeps it stay as they are (a person is national; the job is the employer's office's).
    changed, closing = [], []
    for line in checked.lines:
        person = checked.existing.get(line.national_id)
        if person is None:
            continue
        persons[line.national_id] = person
        if person.status != InsuredPerson.Status.ACTIVE:
            person.status = InsuredPerson.Status.ACTIVE
            changed.append(person)
        spell = checked.open_spells.get(person.pk)
        if spell is not None and spell.section != Section.S33:
            spell.valid_to = line.started_on - DAY
            closing.append(spell)
    if changed:
        bulk_update_with_history(changed, InsuredPerson, ["status"], batch_size=BATCH, **audit)
    if closing:
        bulk_update_with_history(closing, SectionSpell, ["valid_to"], batch_size=BATCH, **audit)
    step(len(checked.lines) - len(new_lines))

    for chunk in chunks(checked.lines, BATCH):
        _bulk_create_audited(
            Employment,
            [
                Employment(
                    person_id=persons[line.national_id].pk,
                    employer_id=employer.pk,
                    branch_id=checked.branches[line.branch_number].pk,
                    started_on=line.started_on,
                    monthly_wage=line.monthly_wage,
                    registered_on=today,
                    late_registration=(today - line.started_on).days > rule.employee_registration_days,
                )
                for line in chunk
            ],
            officer=officer,
            when=when,
        )
        spells = []
        for line in chunk:
            person = persons[line.national_id]
            current = checked.open_spells.get(person.pk)
            if current is None or current.section != Section.S33:
                spells.append(SectionSpell(person_id=person.pk, section=Section.S33, valid_from=line.started_on))
        _bulk_create_audited(SectionSpell, spells, officer=officer, when=when)
        step(len(chunk))
    return len(checked.lines)
