"""What every registry write shares: the text checks of the fields typed at the counter,
the person's fields, today."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import (
    InsuredPerson,
)
from registry.validators import (
    latin_name_clean,
    latin_text_clean,
    nationality_clean,
    phone_clean,
    text_clean,
    thai_name_clean,
    thai_text_clean,
    title_sex_check,
)

DAY = datetime.timedelta(days=1)

PERSON_FIELDS = InsuredPerson.PERSONAL_FIELDS


def today():
    return timezone.localdate()


def checked(field, check, *args):
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


def fields_title_sex_check(fields: dict) -> None:
    checked("title", title_sex_check, fields.get("title"), fields.get("sex"))
