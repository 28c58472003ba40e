"""Checks of the registry's identifiers, shared by forms, the API and bulk uploads.

Each raises `ValidationError` with a message in the active language (Thai or English)
naming what is wrong; none of them touches the database.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
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
    return luhn.calc_check_digit(body)


def pin_check_digit(body: str) -> str:
    """The 13th digit of a Thai PIN whose first 12 digits are `body` (also for tax IDs)."""
    return pin.calc_check_digit(body)


# Text typed by people -----------------------------------------------------------------------
# One set of rules for the counter's forms, the API and bulk uploads: the services call them.

# Line breaks and tabs belong in an address; a zero-width space is what Thai word processors
# put between words. Every other control or format character (NUL, escape, bidi overrides
# that make text read backwards on screen...) is refused, as are lone surrogates, which
# cannot be stored.
_MULTILINE_ALLOWED = frozenset("\n\r\t\u200b")
_REFUSED_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))

# Thai letters: consonants, vowels, tone and other marks (U+0E01-U+0E3A, U+0E40-U+0E4E);
# Thai digits and symbols after them are not part of a name.
_THAI_LETTER = r"\u0E01-\u0E3A\u0E40-\u0E4E"
_THAI_NAME = re.compile(rf"^[\u0E01-\u0E2E\u0E40-\u0E44][{_THAI_LETTER} .'\-]*$")
_THAI_ANY = re.compile(rf"[{_THAI_LETTER}]")
_NAME_PUNCTUATION = frozenset(" .'-")


def _control_found(text: str, allowed=frozenset()) -> str | None:
    for char in text:
        if char not in allowed and unicodedata.category(char) in _REFUSED_CATEGORIES:
            return char
    return None


def text_clean(raw, field_label, *, multiline: bool = False) -> str:
    """Free text (an address, a branch name...) without control characters, stripped."""
    text = "" if raw is None else str(raw)
    char = _control_found(text, _MULTILINE_ALLOWED if multiline else frozenset())
    if char is not None:
        raise ValidationError(
            lazy_format(
                _("%(field)s contains a control character (U+%(code)s); type the text again without it."),
                {"field": field_label, "code": f"{ord(char):04X}"},
            ),
            code="control_character",
        )
    return text.strip()


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and unicodedata.name(char, "").startswith("LATIN ")


def thai_name_clean(raw, field_label, *, required: bool = True) -> str:
    """A person's name in Thai: Thai letters, spaces and . - ' only, beginning with a letter."""
    text = " ".join(text_clean(raw, field_label).split())
    text = unicodedata.normalize("NFC", text)
    if not text:
        if required:
            raise ValidationError(
                lazy_format(_("%(field)s is required."), {"field": field_label}),
                code="required",
            )
        return text
    if not _THAI_NAME.match(text):
        raise ValidationError(
            lazy_format(
                _("%(field)s must be written in Thai letters (spaces and . - ' allowed), beginning with a letter."),
                {"field": field_label},
            ),
            code="thai_letters",
        )
    return text


def latin_name_clean(raw, field_label, *, required: bool = False) -> str:
    """A person's name in English: Latin letters (accents allowed), spaces and . - ' only,
    beginning with a letter."""
    text = unicodedata.normalize("NFC", " ".join(text_clean(raw, field_label).split()))
    if not text:
        if required:
            raise ValidationError(
                lazy_format(_("%(field)s is required."), {"field": field_label}),
                code="required",
            )
        return text
    combining = {char for char in text if unicodedata.combining(char)}
    if not _is_latin_letter(text[0]) or any(
        not (_is_latin_letter(char) or char in _NAME_PUNCTUATION or char in combining) for char in text
    ):
        raise ValidationError(
            lazy_format(
                _("%(field)s must be written in Latin letters (spaces and . - ' allowed), beginning with a letter."),
                {"field": field_label},
            ),
            code="latin_letters",
        )
    return text


def person_name_clean(raw, field_label) -> str:
    """A person's name in Thai or in Latin letters (e.g. the name on a bank account; a Thai
    title may precede it)."""
    text = unicodedata.normalize("NFC", " ".join(text_clean(raw, field_label).split()))
    if not text:
        raise ValidationError(lazy_format(_("%(field)s is required."), {"field": field_label}), code="required")
    letters_ok = all(
        _THAI_ANY.match(char) or _is_latin_letter(char) or unicodedata.combining(char) or char in _NAME_PUNCTUATION
        for char in text
    )
    if not letters_ok or not (_THAI_NAME.match(text[0]) or _is_latin_letter(text[0])):
        raise ValidationError(
            lazy_format(
                _(
                    "%(field)s must be a name in Thai or Latin letters (spaces and . - ' allowed), "
                    "beginning with a letter."
                ),
                {"field": field_label},
            ),
            code="name_letters",
        )
    return text


def thai_text_clean(raw, field_label) -> str:
    """A name in Thai that is not a person's (an employer's, a branch's): any printable text,
    with at least one Thai letter."""
    text = " ".join(text_clean(raw, field_label).split())
    if text and not _THAI_ANY.search(text):
        raise ValidationError(
            lazy_format(_("%(field)s must contain Thai letters."), {"field": field_label}), code="thai_letters"
        )
    return text


def latin_text_clean(raw, field_label) -> str:
    """A name in English that is not a person's: any printable text, with at least one Latin letter."""
    text = " ".join(text_clean(raw, field_label).split())
    if text and not any(_is_latin_letter(char) for char in text):
        raise ValidationError(
            lazy_format(_("%(field)s must contain Latin letters."), {"field": field_label}), code="latin_letters"
        )
    return text


_NATIONALITY = re.compile(r"^[A-Z]{3}$")


def nationality_clean(raw, field_label) -> str:
    """A 3-letter ISO 3166 country code, in capitals."""
    text = text_clean(raw, field_label).upper()
    if not _NATIONALITY.match(text):
        raise ValidationError(
            lazy_format(_("%(field)s is a 3-letter ISO 3166 code, e.g. THA, MMR, KHM, LAO."), {"field": field_label}),
            code="nationality",
        )
    return text


# A Thai number: landlines 0 + 8 digits (02, 03x-07x), mobiles 0 + 9 digits (06, 08, 09);
# or the same without its 0 after +66. Dashes and spaces are allowed between digits.
_PHONE_CHARS = re.compile(r"^\+?[\d\s\-]+$")
_PHONE_NATIONAL = re.compile(r"^0(?:[2-7]\d{7}|[689]\d{8})$")


def phone_clean(raw, field_label) -> str:
    """A Thai telephone number as typed (stripped, spaces collapsed), or ''."""
    text = " ".join(text_clean(raw, field_label).split())
    if not text:
        return ""
    digits = re.sub(r"[\s\-]", "", text)
    national = "0" + digits[3:] if digits.startswith("+66") else digits
    if not _PHONE_CHARS.match(text) or not _PHONE_NATIONAL.match(national) or text.endswith("-"):
        raise ValidationError(
            lazy_format(
                _(
                    "%(field)s is not a Thai telephone number: 0 and 8 digits for a landline (02-123-4567), "
                    "0 and 9 digits for a mobile (081-234-5678), or +66 and the number without its 0."
                ),
                {"field": field_label},
            ),
            code="phone",
        )
    return text


# Titles each sex may carry (the SSO 1-10 codes: 003 Mr, 004 Miss, 005 Mrs).
TITLE_SEXES = {"003": "M", "004": "F", "005": "F"}


def title_sex_check(title: str, sex: str) -> None:
    """Refuse a title that contradicts the sex (นาย/Mr. is a man's; นาง, นางสาว/Mrs., Miss a woman's)."""
    expected = TITLE_SEXES.get(title or "")
    if expected and sex and expected != sex:
        raise ValidationError(
            _("The title does not match the sex: Mr (นาย) is for a man, Miss (นางสาว) and Mrs (นาง) for a woman."),
            code="title_sex",
        )
