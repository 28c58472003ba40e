"""Checks of the registry's identifiers, shared by forms, the API and bulk uploads.

Each raises `ValidationError` with a message in the active language (Thai or English)
naming what is wrong; none of them touches the database.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.th import pin, tin

from sso.core.formats import lazy_format

_ID_CHARS = re.compile(r"^[\d\s\-]*$")


def digits_only(raw, field_label) -> str:
    """The digits of an ID typed with or without dashes and spaces."""
    text = (raw or "").strip()
    if not _ID_CHARS.match(text):
        raise ValidationError(
            lazy_format(_("%(field)s may contain only digits, dashes and spaces."), {"field": field_label}),
            code="chars",
        )
    return re.sub(r"\D", "", text)


def national_id_clean(raw, id_type: str = "pin") -> str:
    """A person's 13-digit ID. A Thai PIN must pass its check digit; a foreign worker's ID
    (pink card or SSO-issued) need only have 13 digits, since such numbers may start with
    0 or 9 and some carry no valid check digit."""
    digits = digits_only(raw, _("National ID"))
    if len(digits) != 13:
        raise ValidationError(
            lazy_format(_("A national ID has 13 digits; %(count)s were given."), {"count": len(digits)}), "length"
        )
    if id_type == "pin" and not pin.is_valid(digits):
        raise ValidationError(
            lazy_format(
                _("National ID %(value)s is not valid: its check digit is wrong (or it is not a Thai PIN)."),
                {"value": pin.format(digits)},
            ),
            code="checksum",
        )
    return digits


def tax_id_clean(raw) -> str:
    """A company's 13-digit tax ID (or a sole trader's PIN), with its check digit."""
    digits = digits_only(raw, _("Tax ID"))
    if len(digits) != 13:
        raise ValidationError(
            lazy_format(_("A tax ID has 13 digits; %(count)s were given."), {"count": len(digits)}), "length"
        )
    if not tin.is_valid(digits):
        raise ValidationError(
            lazy_format(_("Tax ID %(value)s is not valid: its check digit is wrong."), {"value": digits}), "checksum"
        )
    return digits


def account_number_clean(raw) -> str:
    """An employer's 10-digit account number."""
    digits = digits_only(raw, _("Employer account number"))
    if len(digits) != 10:
        raise ValidationError(
            lazy_format(_("An employer account number has 10 digits; %(count)s were given."), {"count": len(digits)}),
            "length",
        )
    return digits


def branch_number_clean(raw) -> str:
    """A 6-digit branch number; an empty one is the head office (000000)."""
    digits = digits_only(raw, _("Branch number"))
    if not digits:
        return "000000"
    if len(digits) > 6:
        raise ValidationError(_("A branch number has 6 digits."), "length")
    return digits.zfill(6)


def account_check_digit(body: str) -> str:
    """The check digit of an account number we issue (the Luhn digit of its first 9)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def pin_check_digit(body: str) -> str:
    """The 13th digit of a Thai PIN whose first 12 digits are `body` (also for tax IDs)."""
    return str((11 - sum(int(d) * (13 - i) for i, d in enumerate(body)) % 11) % 10)
