"""Writes of the registry: the counter's registration forms and the back office's merge.

Each function takes keyword arguments and the officer doing it, checks everything before
writing, raises `ValidationError` naming the field (in the active language) and writes
nothing when a check fails: each runs in one transaction. Histories (section, hospital,
bank account) are closed and opened, never overwritten.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import selectors
from registry.models import (
    BankAccount,
    Branch,
    Dependant,
    Employer,
    Employment,
    HospitalRegistration,
    InsuredPerson,
    Section,
    SectionSpell,
)
from registry.validators import (
    account_check_digit,
    branch_number_clean,
    latin_name_clean,
    latin_text_clean,
    national_id_clean,
    nationality_clean,
    person_name_clean,
    phone_clean,
    tax_id_clean,
    text_clean,
    thai_name_clean,
    thai_text_clean,
    title_sex_check,
)
from sso.core.formats import date_lazy, lazy_format
from sso.core.months import age_on, date_add_months
from sso.core.records import refuse, stamp

DAY = datetime.timedelta(days=1)

PERSON_FIELDS = InsuredPerson.PERSONAL_FIELDS


def _today():
    return timezone.localdate()


def _checked(field, check, *args):
    """Run a validator; its error is reported on `field`."""
    try:
        return check(*args)
    except ValidationError as exc:
        raise ValidationError({field: exc}) from None


def _multiline(raw, label):
    return text_clean(raw, label, multiline=True)


def _thai_name(raw, label):
    # Whether a name may be left out is each service's rule (and message).
    return thai_name_clean(raw, label, required=False)


# How each text field is checked, and how its message names it. Forms, the API and bulk
# uploads reach the database through these services, so all of them meet the same rules.
TEXT_CHECKS = {
    "first_name_th": (_thai_name, _("First name (Thai)")),
    "last_name_th": (_thai_name, _("Surname (Thai)")),
    "first_name_en": (latin_name_clean, _("First name (English)")),
    "last_name_en": (latin_name_clean, _("Surname (English)")),
    "nationality": (nationality_clean, _("Nationality")),
    "address": (_multiline, _("Address")),
    "phone": (phone_clean, _("Phone")),
}
EMPLOYER_TEXT_CHECKS = {
    "name_th": (thai_text_clean, _("Name (Thai)")),
    "name_en": (latin_text_clean, _("Name (English)")),
    "business_type": (text_clean, _("Business type")),
    "address": (_multiline, _("Address")),
    "contact_name": (text_clean, _("Contact person")),
    "phone": (phone_clean, _("Phone")),
    "email": (text_clean, _("Email")),
}
BRANCH_TEXT_CHECKS = {"name": (text_clean, _("Branch name")), "address": (_multiline, _("Address"))}
DEPENDANT_TEXT_CHECKS = {
    "first_name_th": (_thai_name, _("First name (Thai)")),
    "last_name_th": (_thai_name, _("Surname (Thai)")),
    "birth_certificate_id": (text_clean, _("Birth certificate number")),
}


def texts_clean(values: dict, checks: dict) -> dict:
    """`values` with each checked field cleaned; every field at fault is named in one refusal."""
    cleaned, errors = dict(values), {}
    for name, (check, label) in checks.items():
        if name in cleaned and cleaned[name] is not None:
            try:
                cleaned[name] = check(cleaned[name], label)
            except ValidationError as exc:
                errors[name] = exc
    if errors:
        raise ValidationError(errors)
    return cleaned


def _title_sex_check(fields: dict) -> None:
    _checked("title", title_sex_check, fields.get("title"), fields.get("sex"))


# Employers ------------------------------------------------------------------------------


def employer_account_number_issue(province_code: str) -> str:
    """A new account number: province code, a running number, the check digit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('registry_employer_account_seq')")
        (running,) = cursor.fetchone()
    body = f"{province_code[:2]:0>2}{running % 10_000_000:07d}"
    return body + account_check_digit(body)


@transaction.atomic
def employer_register(
    *,
    officer,
    name_th: str,
    name_en: str,
    tax_id: str,
    province,
    registered_on: datetime.date,
    business_type: str = "",
    address: str = "",
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    responsible_office=None,
    account_number: str | None = None,
) -> Employer:
    """Form SSO 1-01: register an employer, issue its account number and its head-office branch."""
    texts = texts_clean(
        {
            "name_th": name_th,
            "name_en": name_en,
            "business_type": business_type,
            "address": address,
            "contact_name": contact_name,
            "phone": phone,
            "email": email,
        },
        EMPLOYER_TEXT_CHECKS,
    )
    address = texts["address"]
    tax_id = _checked("tax_id", tax_id_clean, tax_id)
    if registered_on > _today():
        refuse("registered_on", _("The registration date cannot be in the future."), "future")
    office = responsible_office or officer.office
    if office is None:
        refuse("responsible_office", _("Choose the office responsible for this employer."), "required")
    if Employer.objects.filter(tax_id=tax_id, status=Employer.Status.ACTIVE).exists():
        refuse(
            "tax_id",
            lazy_format(_("An active employer with tax ID %(tax_id)s is already registered."), {"tax_id": tax_id}),
        )
    employer = stamp(
        Employer(
            account_number=account_number or employer_account_number_issue(province.code),
            tax_id=tax_id,
            name_th=texts["name_th"],
            name_en=texts["name_en"],
            business_type=texts["business_type"],
            address=address,
            province=province,
            responsible_office=office,
            registered_on=registered_on,
            contact_name=texts["contact_name"],
            phone=texts["phone"],
            email=texts["email"],
        ),
        officer,
    )
    try:
        with transaction.atomic():
            employer.save()
    except IntegrityError:
        refuse("account_number", _("This employer account number is already in use."), "duplicate")
    stamp(
        Branch(
            employer=employer, number=Branch.HEAD_OFFICE, name=str(_("Head office")), address=address, province=province
        ),
        officer,
    ).save()
    return employer


@transaction.atomic
def branch_add(*, officer, employer: Employer, number: str, name: str, province, address: str = "") -> Branch:
    """Register another workplace of an employer."""
    texts = texts_clean({"name": name, "address": address}, BRANCH_TEXT_CHECKS)
    name, address = texts["name"], texts["address"]
    number = _checked("number", branch_number_clean, number)
    if employer.branches.filter(number=number).exists():
        refuse(
            "number",
            lazy_format(_("Branch %(number)s of this employer already exists."), {"number": number}),
            "duplicate",
        )
    branch = stamp(Branch(employer=employer, number=number, name=name, address=address, province=province), officer)
    branch.save()
    return branch


@transaction.atomic
def employer_cease(*, officer, employer: Employer, ceased_on: datetime.date) -> Employer:
    """Record that an employer stopped business; its employees must be notified as leavers first."""
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    if employer.status == Employer.Status.CEASED:
        refuse("ceased_on", _("This employer is already recorded as ceased."), "already")
    if ceased_on < employer.registered_on:
        refuse("ceased_on", _("The employer cannot cease before it was registered."), "order")
    open_count = employer.employments.filter(ended_on__isnull=True).count()
    if open_count:
        refuse(
            "ceased_on",
            lazy_format(
                _("%(count)s employees are still employed here: notify them as leavers (SSO 6-09) first."),
                {"count": open_count},
            ),
            "open_employment",
        )
    employer.status, employer.ceased_on = Employer.Status.CEASED, ceased_on
    stamp(employer, officer).save(update_fields=["status", "ceased_on"])
    return employer


# Insured persons ------------------------------------------------------------------------


def _person_check(fields: dict, on: datetime.date):
    birth = fields.get("birth_date")
    if birth and birth > on:
        refuse("birth_date", _("The birth date cannot be in the future."), "future")
    if not (fields.get("first_name_th") or "").strip() or not (fields.get("last_name_th") or "").strip():
        refuse("first_name_th", _("Enter the first name and surname in Thai."), "required")


def _section_open(*, person, section, valid_from, officer, s40_option=None):
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


def _section_close(*, person, on: datetime.date, officer):
    current = person.section_spells.filter(valid_to__isnull=True).first()
    if current is not None:
        current.valid_to = max(on, current.valid_from)
        stamp(current, officer).save(update_fields=["valid_to"])


def person_create(*, officer, national_id: str, id_type: str, office, registered_on, **fields) -> InsuredPerson:
    """A new insured person's record (callers open the section spell)."""
    national_id = _checked("national_id", national_id_clean, national_id, id_type)
    fields = texts_clean(fields, TEXT_CHECKS)
    _person_check(fields, registered_on)
    _title_sex_check(fields)
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
    _person_check({name: getattr(person, name) for name in PERSON_FIELDS}, _today())
    if "title" in changed or "sex" in changed:
        _title_sex_check({"title": person.title, "sex": person.sex})
    if changed:
        stamp(person, officer).save(update_fields=changed)
    return person


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
    **person_fields,
) -> Employment:
    """Form SSO 1-03 (or 1-03/1 for someone already insured): an employee starts work.

    Due within the rule's number of days of hiring; a later filing is accepted and flagged.
    The person's Section 33 spell opens on the hire date (closing a Section 39/40 spell).
    """
    filed_on = filed_on or _today()
    national_id = _checked("national_id", national_id_clean, national_id, id_type)
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
        _section_open(person=person, section=Section.S33, valid_from=started_on, officer=officer)
    updates = []
    if person.status != InsuredPerson.Status.ACTIVE:
        person.status = InsuredPerson.Status.ACTIVE
        updates.append("status")
    if person.office_id != employer.responsible_office_id:
        person.office_id = employer.responsible_office_id
        updates.append("office")
    if updates:
        stamp(person, officer).save(update_fields=updates)
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
    notified_on = notified_on or _today()
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
        _section_close(person=person, on=ended_on, officer=officer)
        person.status, person.died_on = InsuredPerson.Status.DECEASED, ended_on
        stamp(person, officer).save(update_fields=["status", "died_on"])
    elif not person.employments.filter(ended_on__isnull=True).exists():
        _section_close(person=person, on=ended_on, officer=officer)
        person.status = InsuredPerson.Status.CEASED
        stamp(person, officer).save(update_fields=["status"])
    return employment


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
    account_name = _checked("account_name", person_name_clean, account_name, _("Name on the account"))
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
    if birth_date > _today():
        refuse("birth_date", _("The birth date cannot be in the future."), "future")
    if national_id:
        national_id = _checked("national_id", national_id_clean, national_id)
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


@transaction.atomic
def section39_apply(*, officer, person: InsuredPerson, applied_on: datetime.date | None = None) -> SectionSpell:
    """A former employee continues voluntarily under Section 39.

    Allowed with at least the rule's Section 33 months (12) and within its months (6) of
    leaving; cover runs on from the day after the Section 33 spell ended.
    """
    applied_on = applied_on or _today()
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
    months = selectors.section33_months(person, until=applied_on)
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
    spell = _section_open(person=person, section=Section.S39, valid_from=last_s33.valid_to + DAY, officer=officer)
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
    applied_on = applied_on or _today()
    rule = selectors.registration_rule(applied_on)
    if option not in (1, 2, 3):
        refuse("s40_option", _("Choose option 1, 2 or 3."), "option")
    if person is None:
        national_id = _checked("national_id", national_id_clean, national_id, id_type)
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
    spell = _section_open(person=person, section=Section.S40, s40_option=option, valid_from=applied_on, officer=officer)
    if person.status != InsuredPerson.Status.ACTIVE:
        person.status = InsuredPerson.Status.ACTIVE
        stamp(person, officer).save(update_fields=["status"])
    return spell


def person_merge(
    *, officer, keep: InsuredPerson, drop: InsuredPerson, reason: str = "", confirmed_by=None
) -> InsuredPerson:
    """Merge a duplicate record into the one kept (see registry/merging.py): every record that
    points at it moves to the survivor; it stays on file, status merged, pointing at it."""
    from registry.merging import person_merge as merge

    return merge(officer=officer, keep=keep, drop=drop, reason=reason, confirmed_by=confirmed_by)
