"""Insured persons: a new record, corrections, the registered hospital (SSO 9-02), the bank
account benefits are paid into, dependants, and the merge of a duplicate."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from registry.models import (
    BankAccount,
    Dependant,
    HospitalRegistration,
    InsuredPerson,
)
from registry.services.common import (
    DAY,
    DEPENDANT_TEXT_CHECKS,
    PERSON_FIELDS,
    TEXT_CHECKS,
    checked,
    fields_title_sex_check,
    texts_clean,
    today,
)
from registry.validators import (
    national_id_clean,
    person_name_clean,
)
from sso.core.formats import lazy_format
from sso.core.records import refuse, stamp


def _person_check(fields: dict, on: datetime.date):
    birth = fields.get("birth_date")
    if birth and birth > on:
        refuse("birth_date", _("The birth date cannot be in the future."), "future")
    if not (fields.get("first_name_th") or "").strip() or not (fields.get("last_name_th") or "").strip():
        refuse("first_name_th", _("Enter the first name and surname in Thai."), "required")


def person_create(*, officer, national_id: str, id_type: str, office, registered_on, **fields) -> InsuredPerson:
    """A new insured person's record (callers open the section spell)."""
    national_id = checked("national_id", national_id_clean, national_id, id_type)
    fields = texts_clean(fields, TEXT_CHECKS)
    _person_check(fields, registered_on)
    fields_title_sex_check(fields)
    if InsuredPerson.objects.filter(national_id=national_id).exists():
        refuse(
            "national_id",
            lazy_format(_("A person with national ID %(id)s is already registered."), {"id": national_id}),
        )
    person = stamp(
        InsuredPerson(
            national_id=national_id,
            id_type=id_type,
            office=office,
            registered_on=registered_on,
            **{name: value for name, value in fields.items() if name in PERSON_FIELDS},
        ),
        officer,
    )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        refuse(
            "national_id",
            lazy_format(_("A person with national ID %(id)s is already registered."), {"id": national_id}),
        )
    return person


@transaction.atomic
def person_update(*, officer, person: InsuredPerson, **fields) -> InsuredPerson:
    """Correct a person's identity or contact details (only the fields given)."""
    person = InsuredPerson.objects.select_for_update().get(pk=person.pk)
    changed = [name for name in PERSON_FIELDS if name in fields and getattr(person, name) != fields[name]]
    # Only what changes is checked: a record from before these rules can still be corrected
    # one field at a time.
    fields = texts_clean({name: fields[name] for name in changed}, TEXT_CHECKS)
    changed = [name for name in changed if getattr(person, name) != fields[name]]
    for name in changed:
        setattr(person, name, fields[name])
    _person_check({name: getattr(person, name) for name in PERSON_FIELDS}, today())
    if "title" in changed or "sex" in changed:
        fields_title_sex_check({"title": person.title, "sex": person.sex})
    if changed:
        stamp(person, officer).save(update_fields=changed)
    return person


@transaction.atomic
def hospital_change(*, officer, person: InsuredPerson, hospital, valid_from: datetime.date) -> HospitalRegistration:
    """Form SSO 9-02: the person's registered hospital from `valid_from` on."""
    if not hospital.is_active:
        refuse("hospital", _("This hospital does not accept registrations."), "inactive")
    current = person.hospital_registrations.select_for_update().filter(valid_to__isnull=True).first()
    if current is not None:
        if current.hospital_id == hospital.pk:
            refuse("hospital", _("The person is already registered with this hospital."), "same")
        if current.valid_from >= valid_from:
            refuse("valid_from", _("The change must start after the current registration began."), "order")
        current.valid_to = valid_from - DAY
        stamp(current, officer).save(update_fields=["valid_to"])
    registration = stamp(HospitalRegistration(person=person, hospital=hospital, valid_from=valid_from), officer)
    registration.save()
    return registration


@transaction.atomic
def bank_account_set(
    *, officer, person: InsuredPerson, bank, account_number: str, account_name: str, valid_from: datetime.date
) -> BankAccount:
    """The account the person's cash benefits go to from `valid_from` on."""
    digits = "".join(ch for ch in account_number if ch.isdigit())
    if len(digits) != bank.account_digits or any(ch not in "0123456789- " for ch in account_number):
        refuse(
            "account_number",
            lazy_format(
                _("An account number of %(bank)s has %(count)s digits."),
                {"bank": bank.name, "count": bank.account_digits},
            ),
            "length",
        )
    if not account_name.strip():
        refuse("account_name", _("Enter the name on the account."), "required")
    account_name = checked("account_name", person_name_clean, account_name, _("Name on the account"))
    current = person.bank_accounts.select_for_update().filter(valid_to__isnull=True).first()
    if current is not None:
        if current.valid_from >= valid_from:
            refuse("valid_from", _("The change must start after the current account began."), "order")
        current.valid_to = valid_from - DAY
        stamp(current, officer).save(update_fields=["valid_to"])
    account = stamp(
        BankAccount(
            person=person, bank=bank, account_number=digits, account_name=account_name.strip(), valid_from=valid_from
        ),
        officer,
    )
    account.save()
    return account


@transaction.atomic
def dependant_add(
    *,
    officer,
    person: InsuredPerson,
    kind: str,
    first_name_th: str,
    last_name_th: str,
    birth_date: datetime.date,
    national_id: str = "",
    birth_certificate_id: str = "",
) -> Dependant:
    """A child (for child allowance) or spouse (for survivor benefits) of an insured person."""
    texts = texts_clean(
        {"first_name_th": first_name_th, "last_name_th": last_name_th, "birth_certificate_id": birth_certificate_id},
        DEPENDANT_TEXT_CHECKS,
    )
    first_name_th, last_name_th = texts["first_name_th"], texts["last_name_th"]
    birth_certificate_id = texts["birth_certificate_id"]
    if not first_name_th or not last_name_th:
        refuse("first_name_th", _("Enter the first name and surname in Thai."), "required")
    if birth_date > today():
        refuse("birth_date", _("The birth date cannot be in the future."), "future")
    if national_id:
        national_id = checked("national_id", national_id_clean, national_id)
        if person.dependants.filter(national_id=national_id).exists():
            refuse("national_id", _("This dependant is already recorded."), "duplicate")
    if kind == Dependant.Kind.CHILD and not (national_id or birth_certificate_id.strip()):
        refuse("birth_certificate_id", _("Enter the child's national ID or birth certificate number."), "required")
    if kind == Dependant.Kind.SPOUSE and person.dependants.filter(kind=kind, valid_to__isnull=True).exists():
        refuse("kind", _("A current spouse is already recorded."), "duplicate")
    dependant = stamp(
        Dependant(
            person=person,
            kind=kind,
            first_name_th=first_name_th.strip(),
            last_name_th=last_name_th.strip(),
            birth_date=birth_date,
            national_id=national_id,
            birth_certificate_id=birth_certificate_id.strip(),
        ),
        officer,
    )
    dependant.save()
    return dependant


def person_merge(
    *, officer, keep: InsuredPerson, drop: InsuredPerson, reason: str = "", confirmed_by=None
) -> InsuredPerson:
    """Merge a duplicate record into the one kept (see registry/merging.py): every record that
    points at it moves to the survivor; it stays on file, status merged, pointing at it."""
    from registry.merging import person_merge as merge

    return merge(officer=officer, keep=keep, drop=drop, reason=reason, confirmed_by=confirmed_by)
