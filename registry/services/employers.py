"""Employers and their branches: registration (form SSO 1-01), a new branch, ceasing business."""

import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from registry.models import (
    Branch,
    Employer,
)
from registry.services.common import BRANCH_TEXT_CHECKS, EMPLOYER_TEXT_CHECKS, texts_clean, today
from registry.validators import (
    account_check_digit,
    branch_number_clean,
    tax_id_clean,
)
from sso.core.formats import lazy_format
from sso.core.records import Refusals, refuse, stamp


def employer_account_number_issue(province_code: str) -> str:
    """A new account number: province code, a running number, the check digit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('registry_employer_account_seq')")
        (running,) = cursor.fetchone()
    body = f"{province_code[:2]:0>2}{running % 10_000_000:07d}"
    return body + account_check_digit(body)


def _head_office_name() -> str:
    """The head office's branch name, in Thai whatever the officer's language: a branch's name
    is Thai data (form SSO 1-10), not a word of the screen."""
    with translation.override("th"):
        return str(_("Head office"))


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
    # Every fault at once (issue 15): the texts, the tax ID's check digit, the date, the office.
    faults = Refusals()
    values = {
        "name_th": name_th,
        "name_en": name_en,
        "business_type": business_type,
        "address": address,
        "contact_name": contact_name,
        "phone": phone,
        "email": email,
    }
    texts = faults.check("", texts_clean, values, EMPLOYER_TEXT_CHECKS, default=values)
    address = texts["address"]
    tax_id = faults.check("tax_id", tax_id_clean, tax_id)
    if registered_on > today():
        faults.add("registered_on", _("The registration date cannot be in the future."), "future")
    office = responsible_office or officer.office
    if office is None:
        faults.add("responsible_office", _("Choose the office responsible for this employer."), "required")
    if tax_id and Employer.objects.filter(tax_id=tax_id, status=Employer.Status.ACTIVE).exists():
        faults.add(
            "tax_id",
            lazy_format(_("An active employer with tax ID %(tax_id)s is already registered."), {"tax_id": tax_id}),
        )
    faults.raise_any()
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
            employer=employer, number=Branch.HEAD_OFFICE, name=_head_office_name(), address=address, province=province
        ),
        officer,
    ).save()
    return employer


@transaction.atomic
def branch_add(*, officer, employer: Employer, number: str, name: str, province, address: str = "") -> Branch:
    """Register another workplace of an employer."""
    faults = Refusals()
    values = {"name": name, "address": address}
    texts = faults.check("", texts_clean, values, BRANCH_TEXT_CHECKS, default=values)
    name, address = texts["name"], texts["address"]
    number = faults.check("number", branch_number_clean, number)
    if number and employer.branches.filter(number=number).exists():
        faults.add(
            "number",
            lazy_format(_("Branch %(number)s of this employer already exists."), {"number": number}),
            "duplicate",
        )
    faults.raise_any()
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
