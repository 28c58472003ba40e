"""Checking an upload: every line against the rules of `registry.services.employee_register`,
the whole file at once with a few set-based queries; every bad line is reported."""

import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _

from registry.bulk.layout import (
    COLUMN_LABELS,
    HEADER_LOOKUP,
    ID_TYPES,
    MAX_LINES,
    NAME_MAX,
    NATIONALITY,
    REQUIRED,
    SEXES,
    TITLES,
    header_key,
)
from registry.models import (
    Branch,
    Employer,
    Employment,
    InsuredPerson,
    Section,
    SectionSpell,
)
from registry.validators import (
    branch_number_clean,
    latin_name_clean,
    national_id_clean,
    thai_name_clean,
    title_sex_check,
)
from sso.core.forms import parse_thai_date

# One line --------------------------------------------------------------------------------


@dataclass
class Line:
    """One good line of the file, cleaned."""

    number: int
    national_id: str
    id_type: str
    person: dict
    branch_number: str
    started_on: datetime.date
    monthly_wage: Decimal | None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if not text:
        raise ValidationError(_("This date is required."), code="required")
    return parse_thai_date(text)[0]


def _national_id(value, id_type) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A spreadsheet keeps an ID typed as a number, losing a leading zero.
        value = _text(value).zfill(13)
    return national_id_clean(_text(value), id_type)


def _wage(value) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = repr(value)
    text = _text(value).replace(",", "")
    if not text:
        return None
    try:
        wage = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Write the wage as a number, e.g. 15000.00."), code="invalid") from None
    if not wage.is_finite():
        raise ValidationError(_("Write the wage as a number, e.g. 15000.00."), code="invalid")
    if wage < 0:
        raise ValidationError(_("The wage cannot be negative."), code="negative")
    if wage != wage.quantize(Decimal("0.01")):
        raise ValidationError(_("The wage has more than 2 decimal places."), code="decimals")
    if wage >= Decimal("1e12"):
        raise ValidationError(_("The wage is too large."), code="too_large")
    return wage.quantize(Decimal("0.01"))


def _choice(value, table, message):
    key = _text(value).lower()
    if key not in table:
        raise ValidationError(message, code="invalid")
    return table[key]


def _name(value, *, required: bool, check=None, column: str = "") -> str:
    text = _text(value)
    if check is not None and text:
        text = check(text, COLUMN_LABELS[column])  # the registry's rules for names (registry/validators.py)
    text = " ".join(text.split())
    if required and not text:
        raise ValidationError(_("Enter the first name and surname in Thai."), code="required")
    if len(text) > NAME_MAX:
        raise ValidationError(_("A name has at most %(max)s characters.") % {"max": NAME_MAX}, code="length")
    return text


def _line_clean(number: int, cells: dict, *, today: datetime.date, employer: Employer, errors: list):
    """(national ID if valid, the cleaned line or None after adding each of its errors to `errors`)."""
    found = []

    def clean(field, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ValidationError as exc:
            found.append({"line": number, "field": field, "message": " ".join(str(m) for m in exc.messages)})
            return None

    id_type = clean(
        "id_type",
        _choice,
        cells.get("id_type"),
        ID_TYPES,
        _("The ID type is 'pin' (Thai national ID) or 'foreign' (foreign worker)."),
    )
    national_id = clean("national_id", _national_id, cells.get("national_id"), id_type or "pin")
    title = clean(
        "title",
        _choice,
        cells.get("title"),
        TITLES,
        _("The title is 003/004/005, นาย/นางสาว/นาง or Mr/Miss/Mrs."),
    )
    names = {}
    for field, check, required in (
        ("first_name_th", thai_name_clean, True),
        ("last_name_th", thai_name_clean, True),
        ("first_name_en", latin_name_clean, False),
        ("last_name_en", latin_name_clean, False),
    ):
        names[field] = clean(field, _name, cells.get(field), required=required, check=check, column=field)
    first_name_th, last_name_th = names["first_name_th"], names["last_name_th"]
    first_name_en, last_name_en = names["first_name_en"], names["last_name_en"]
    birth_date = clean("birth_date", _date, cells.get("birth_date"))
    if birth_date and birth_date > today:
        found.append(
            {"line": number, "field": "birth_date", "message": str(_("The birth date cannot be in the future."))}
        )
    sex = clean("sex", _choice, cells.get("sex"), SEXES, _("The sex is M or F (ชาย or หญิง)."))
    if title and sex:
        clean("title", title_sex_check, title, sex)
    nationality = _text(cells.get("nationality")).upper() or "THA"
    if not NATIONALITY.match(nationality):
        found.append(
            {
                "line": number,
                "field": "nationality",
                "message": str(_("The nationality is a 3-letter ISO 3166 code, e.g. THA, MMR, KHM, LAO.")),
            }
        )
    branch_number = clean("branch", branch_number_clean, _text(cells.get("branch")))
    started_on = clean("started_on", _date, cells.get("started_on"))
    if started_on:
        if started_on > today:
            found.append(
                {"line": number, "field": "started_on", "message": str(_("The hire date cannot be in the future."))}
            )
        elif started_on < employer.registered_on:
            found.append(
                {
                    "line": number,
                    "field": "started_on",
                    "message": str(_("The hire date is before the employer was registered.")),
                }
            )
        elif birth_date and started_on < birth_date:
            found.append(
                {"line": number, "field": "started_on", "message": str(_("The hire date is before the birth date."))}
            )
    monthly_wage = clean("monthly_wage", _wage, cells.get("monthly_wage"))
    if found:
        errors.extend(found)
        return national_id, None
    return national_id, Line(
        number=number,
        national_id=national_id,
        id_type=id_type,
        person={
            "title": title,
            "first_name_th": first_name_th,
            "last_name_th": last_name_th,
            "first_name_en": first_name_en,
            "last_name_en": last_name_en,
            "birth_date": birth_date,
            "sex": sex,
            "nationality": nationality,
        },
        branch_number=branch_number,
        started_on=started_on,
        monthly_wage=monthly_wage,
    )


# The whole file --------------------------------------------------------------------------


def fault(line, field, message) -> dict:
    """A fault of the file as an upload keeps it: the line (1 is the header), the field, why."""
    return {"line": line, "field": field, "message": str(message)}


def _header_read(cells: list, errors: list) -> list[str | None]:
    """The column each cell of the header stands for (None for a blank header cell)."""
    columns, seen = [], set()
    for position, cell in enumerate(cells, start=1):
        name = _text(cell)
        if not name:
            columns.append(None)
            continue
        column = HEADER_LOOKUP.get(header_key(name))
        if column is None:
            errors.append(
                fault(1, name, _("Column %(n)s, '%(name)s', is not a column we know.") % {"n": position, "name": name})
            )
        elif column in seen:
            errors.append(fault(1, column, _("Column '%(name)s' appears twice.") % {"name": name}))
        seen.add(column)
        columns.append(column)
    for column in REQUIRED:
        if column not in seen:
            errors.append(fault(1, column, _("The required column '%(name)s' is missing.") % {"name": column}))
    return columns


def chunks(items, size):
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk


@dataclass
class Checked:
    lines: list[Line]
    errors: list[dict]
    line_count: int
    existing: dict  # national ID -> InsuredPerson (locked)
    open_spells: dict  # person id -> open SectionSpell
    branches: dict  # number -> Branch


def upload_check(*, employer: Employer, rows, today: datetime.date, progress=None) -> Checked:
    """Every line checked, with the records the store needs; the existing persons named in
    the file are locked until the transaction ends (call inside one)."""
    errors: list[dict] = []
    lines: list[Line] = []
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        return Checked([], [fault(1, "", _("The file is empty."))], 0, {}, {}, {})
    columns = _header_read(header[1], errors)
    if errors:
        return Checked([], errors, 0, {}, {}, {})

    first_line_of: dict[str, int] = {}
    line_count = 0
    for number, cells in rows:
        if not any(_text(cell) for cell in cells):
            continue  # blank lines (often at the end of a spreadsheet) are not persons
        line_count += 1
        if line_count > MAX_LINES:
            errors.append(
                fault(number, "", _("A file may hold at most %(max)s persons; split it.") % {"max": MAX_LINES})
            )
            break
        values = {column: cell for column, cell in zip(columns, cells, strict=False) if column}
        national_id, line = _line_clean(number, values, today=today, employer=employer, errors=errors)
        first = first_line_of.setdefault(national_id, number) if national_id else number
        if first != number:
            errors.append(
                fault(
                    number,
                    "national_id",
                    _("National ID %(id)s is also on line %(line)s of this file.") % {"id": national_id, "line": first},
                )
            )
        elif line is not None:
            lines.append(line)
        if progress and line_count % 500 == 0:
            progress(line_count)
    if line_count == 0 and not errors:
        errors.append(fault(2, "", _("The file has a header but no persons.")))

    branches = {branch.number: branch for branch in Branch.objects.filter(employer=employer)}
    for line in lines:
        if line.branch_number not in branches:
            errors.append(
                fault(
                    line.number,
                    "branch",
                    _("Branch %(number)s is not a branch of this employer.") % {"number": line.branch_number},
                )
            )

    # Persons already insured (form 1-03/1): the same checks as employee_register, set-based.
    # One array parameter rather than 10,000 (usually few match), then those few locked.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM registry_insuredperson WHERE national_id = ANY(%s)", [[line.national_id for line in lines]]
        )
        found = [row[0] for row in cursor.fetchall()]
    existing: dict[str, InsuredPerson] = {}
    for chunk in chunks(sorted(found), 5000):
        for person in InsuredPerson.objects.select_for_update().filter(pk__in=chunk).order_by("pk"):
            existing[person.national_id] = person
    open_spells, employments = {}, {}
    person_ids = [person.pk for person in existing.values()]
    for chunk in chunks(person_ids, 5000):
        for spell in SectionSpell.objects.filter(person_id__in=chunk, valid_to__isnull=True):
            open_spells[spell.person_id] = spell
        for person_id, ended_on in Employment.objects.filter(employer=employer, person_id__in=chunk).values_list(
            "person_id", "ended_on"
        ):
            employments.setdefault(person_id, []).append(ended_on)
    for line in lines:
        person = existing.get(line.national_id)
        if person is None:
            continue
        if person.status == InsuredPerson.Status.DECEASED:
            errors.append(fault(line.number, "national_id", _("This person is recorded as deceased.")))
            continue
        if person.status == InsuredPerson.Status.MERGED:
            errors.append(
                fault(
                    line.number,
                    "national_id",
                    _("This record was merged; register against the surviving record."),
                )
            )
            continue
        ends = employments.get(person.pk, [])
        if None in ends:
            errors.append(fault(line.number, "national_id", _("This person is already employed by this employer.")))
            continue
        if any(ended_on >= line.started_on for ended_on in ends):
            errors.append(
                fault(line.number, "started_on", _("The hire date overlaps an earlier spell with this employer."))
            )
            continue
        spell = open_spells.get(person.pk)
        if spell is not None and spell.section != Section.S33 and spell.valid_from >= line.started_on:
            errors.append(
                fault(line.number, "started_on", _("A section history entry already starts on or after this date."))
            )
    errors.sort(key=lambda error: error["line"] or 0)
    return Checked(lines, errors, line_count, existing, open_spells, branches)
