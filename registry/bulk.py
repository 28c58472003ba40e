"""Bulk employee registration (form SSO 1-03 for many employees at once) from a CSV or XLSX file.

One file is all or nothing: every line is checked and every bad line reported (line number
as in the file, the header being line 1, the field, the reason in the uploader's language);
a file with any error stores nothing, a good one is stored in one transaction. The rules are
those of `registry.services.employee_register`, applied to the whole file with a few
set-based queries and bulk inserts (with their audit rows), so that ten thousand lines take
seconds, not minutes. Small files are checked in the request; bigger ones by a Celery task
that reports its progress in Redis.
"""

import datetime
import json
import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Func, IntegerField
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from registry import selectors
from registry.models import (
    Branch,
    BulkUpload,
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
from sso.core import exports
from sso.core.audit import history_copy
from sso.core.forms import parse_thai_date
from sso.core.redis import redis_client
from sso.core.scoping import object_get_for_user, office_scoped
from sso.core.uploads import (
    LIMIT_CODES,
    Counter,
    UploadRefused,
    csv_rows,
    is_xlsx,
    size_check,
    text_decode,
    upload_read,
    xlsx_check,
    xlsx_open,
    xlsx_sheet_rows,
)

log = logging.getLogger(__name__)

# Files up to this many lines are checked and stored while the officer waits; longer ones
# go to the back office (Celery) and the status page shows their progress.
SYNC_MAX_LINES = 500
MAX_LINES = 50_000
BATCH = 2000
PROGRESS_TTL = 24 * 3600

DAY = datetime.timedelta(days=1)

# Column -> accepted header names (compared without case, spaces, dashes, dots and brackets).
COLUMNS = {
    "national_id": ("national_id", "national id", "pin", "เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "เลขประจำตัว"),
    "id_type": ("id_type", "id type", "ประเภทบัตร", "ประเภทเลขประจำตัว"),
    "title": ("title", "คำนำหน้า", "คำนำหน้าชื่อ", "คำนำหน้านาม"),
    "first_name_th": ("first_name_th", "first name (Thai)", "ชื่อ", "ชื่อ (ไทย)", "ชื่อภาษาไทย"),
    "last_name_th": ("last_name_th", "surname (Thai)", "last name (Thai)", "นามสกุล", "นามสกุล (ไทย)", "นามสกุลภาษาไทย"),
    "first_name_en": ("first_name_en", "first name (English)", "ชื่อ (อังกฤษ)", "ชื่อภาษาอังกฤษ"),
    "last_name_en": (
        "last_name_en",
        "surname (English)",
        "last name (English)",
        "นามสกุล (อังกฤษ)",
        "นามสกุลภาษาอังกฤษ",
    ),
    "birth_date": ("birth_date", "birth date", "date of birth", "วันเกิด", "วันเดือนปีเกิด"),
    "sex": ("sex", "gender", "เพศ"),
    "nationality": ("nationality", "สัญชาติ"),
    "branch": ("branch", "branch number", "สาขา", "เลขที่สาขา"),
    "started_on": ("started_on", "hire date", "hired on", "วันที่เข้าทำงาน", "วันเข้าทำงาน"),
    "monthly_wage": ("monthly_wage", "monthly wage", "wage", "ค่าจ้าง", "ค่าจ้างรายเดือน", "ค่าจ้างต่อเดือน"),
}
REQUIRED = ("national_id", "title", "first_name_th", "last_name_th", "birth_date", "sex", "started_on")
# The Thai header of the template file, column by column.
HEADERS_TH = {
    "national_id": "เลขประจำตัวประชาชน",
    "id_type": "ประเภทบัตร",
    "title": "คำนำหน้า",
    "first_name_th": "ชื่อ",
    "last_name_th": "นามสกุล",
    "first_name_en": "ชื่อภาษาอังกฤษ",
    "last_name_en": "นามสกุลภาษาอังกฤษ",
    "birth_date": "วันเกิด",
    "sex": "เพศ",
    "nationality": "สัญชาติ",
    "branch": "สาขา",
    "started_on": "วันที่เข้าทำงาน",
    "monthly_wage": "ค่าจ้างรายเดือน",
}


def _header_key(text) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).lower()
    return re.sub(r"[\s_\-.()*\[\]]", "", text)


_HEADER_LOOKUP = {_header_key(alias): column for column, aliases in COLUMNS.items() for alias in aliases}

_TITLES = {
    "003": "003",
    "3": "003",
    "นาย": "003",
    "mr": "003",
    "004": "004",
    "4": "004",
    "นางสาว": "004",
    "น.ส.": "004",
    "miss": "004",
    "005": "005",
    "5": "005",
    "นาง": "005",
    "mrs": "005",
}
_SEXES = {"m": "M", "male": "M", "ชาย": "M", "f": "F", "female": "F", "หญิง": "F"}
_ID_TYPES = {
    "": "pin",
    "pin": "pin",
    "thai": "pin",
    "ไทย": "pin",
    "foreign": "foreign",
    "ต่างด้าว": "foreign",
    "คนต่างด้าว": "foreign",
}
_NATIONALITY = re.compile(r"^[A-Z]{3}$")
_NAME_MAX = InsuredPerson._meta.get_field("first_name_th").max_length


# How the page names each column (the file may use the English or the Thai header).
COLUMN_LABELS = {
    "national_id": _("National ID"),
    "id_type": _("ID type"),
    "title": _("Title"),
    "first_name_th": _("First name (Thai)"),
    "last_name_th": _("Surname (Thai)"),
    "first_name_en": _("First name (English)"),
    "last_name_en": _("Surname (English)"),
    "birth_date": _("Birth date"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "branch": _("Branch"),
    "started_on": _("Hire date"),
    "monthly_wage": _("Monthly wage"),
    "employer": _("Employer"),
    "file": _("File"),
}


class FileUnreadable(Exception):
    """The file is not a CSV or XLSX we can read (the reason is the message)."""


def template_csv(language: str = "th") -> bytes:
    """The header line of an upload file (UTF-8 with BOM, so spreadsheet programs read the Thai)."""
    names = [HEADERS_TH[column] if language.startswith("th") else column for column in COLUMNS]
    return exports.csv_bytes(names, [])


# Reading ---------------------------------------------------------------------------------


def _csv_rows(content: bytes):
    # UTF-8 or Thai Windows-874 (TIS-620); anything else is refused as not text.
    text, _encoding = text_decode(content)
    # Spreadsheet programs set to Thai write commas; some European settings write semicolons.
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    # A quoted value may span lines: each record is numbered by the line where it starts.
    yield from csv_rows(text, delimiter=delimiter)


def _xlsx_rows(content: bytes):
    workbook = xlsx_open(content)
    try:
        if not workbook.worksheets:
            return
        for number, row in enumerate(xlsx_sheet_rows(workbook.worksheets[0], Counter()), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def _bounded(rows):
    # A file past the limits (sso/core/uploads.py) is unreadable here; `upload_file_check`
    # refuses it before anything is stored, so this is met only if the limits changed since.
    try:
        yield from rows
    except UploadRefused as refused:
        raise FileUnreadable(refused.reason) from None


def file_rows(file_name: str, content: bytes):
    """(line number, list of cell values) for each line of the file, the header included."""
    return _bounded(_xlsx_rows(content) if is_xlsx(file_name, content) else _csv_rows(content))


def upload_file_check(file_name: str, content: bytes) -> int:
    """Refuse (`UploadRefused`) a file past the upload limits, before it is stored or read
    by openpyxl; return how many lines it holds after the header (blank ones included)."""
    size_check(len(content))
    try:
        if is_xlsx(file_name, content):
            return max(xlsx_check(content).rows - 1, 0)
        return max(sum(1 for _row in _csv_rows(content)) - 1, 0)
    except FileUnreadable:
        return 0  # not text: the check reports it on the upload
    except UploadRefused as refused:
        if refused.code in LIMIT_CODES:
            raise
        return 0  # damaged: the check reports it on the upload


def person_count_estimate(file_name: str, content: bytes) -> int:
    """About how many persons (lines after the header) the file has, read cheaply."""
    try:
        return upload_file_check(file_name, content)
    except UploadRefused:
        return MAX_LINES


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
    if len(text) > _NAME_MAX:
        raise ValidationError(_("A name has at most %(max)s characters.") % {"max": _NAME_MAX}, code="length")
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
        _ID_TYPES,
        _("The ID type is 'pin' (Thai national ID) or 'foreign' (foreign worker)."),
    )
    national_id = clean("national_id", _national_id, cells.get("national_id"), id_type or "pin")
    title = clean(
        "title",
        _choice,
        cells.get("title"),
        _TITLES,
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
    sex = clean("sex", _choice, cells.get("sex"), _SEXES, _("The sex is M or F (ชาย or หญิง)."))
    if title and sex:
        clean("title", title_sex_check, title, sex)
    nationality = _text(cells.get("nationality")).upper() or "THA"
    if not _NATIONALITY.match(nationality):
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


def _error(line, field, message) -> dict:
    return {"line": line, "field": field, "message": str(message)}


def _header_read(cells: list, errors: list) -> list[str | None]:
    """The column each cell of the header stands for (None for a blank header cell)."""
    columns, seen = [], set()
    for position, cell in enumerate(cells, start=1):
        name = _text(cell)
        if not name:
            columns.append(None)
            continue
        column = _HEADER_LOOKUP.get(_header_key(name))
        if column is None:
            errors.append(
                _error(1, name, _("Column %(n)s, '%(name)s', is not a column we know.") % {"n": position, "name": name})
            )
        elif column in seen:
            errors.append(_error(1, column, _("Column '%(name)s' appears twice.") % {"name": name}))
        seen.add(column)
        columns.append(column)
    for column in REQUIRED:
        if column not in seen:
            errors.append(_error(1, column, _("The required column '%(name)s' is missing.") % {"name": column}))
    return columns


def _chunks(items, size):
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
        return Checked([], [_error(1, "", _("The file is empty."))], 0, {}, {}, {})
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
                _error(number, "", _("A file may hold at most %(max)s persons; split it.") % {"max": MAX_LINES})
            )
            break
        values = {column: cell for column, cell in zip(columns, cells, strict=False) if column}
        national_id, line = _line_clean(number, values, today=today, employer=employer, errors=errors)
        first = first_line_of.setdefault(national_id, number) if national_id else number
        if first != number:
            errors.append(
                _error(
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
        errors.append(_error(2, "", _("The file has a header but no persons.")))

    branches = {branch.number: branch for branch in Branch.objects.filter(employer=employer)}
    for line in lines:
        if line.branch_number not in branches:
            errors.append(
                _error(
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
    for chunk in _chunks(sorted(found), 5000):
        for person in InsuredPerson.objects.select_for_update().filter(pk__in=chunk).order_by("pk"):
            existing[person.national_id] = person
    open_spells, employments = {}, {}
    person_ids = [person.pk for person in existing.values()]
    for chunk in _chunks(person_ids, 5000):
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
            errors.append(_error(line.number, "national_id", _("This person is recorded as deceased.")))
            continue
        if person.status == InsuredPerson.Status.MERGED:
            errors.append(
                _error(
                    line.number,
                    "national_id",
                    _("This record was merged; register against the surviving record."),
                )
            )
            continue
        ends = employments.get(person.pk, [])
        if None in ends:
            errors.append(_error(line.number, "national_id", _("This person is already employed by this employer.")))
            continue
        if any(ended_on >= line.started_on for ended_on in ends):
            errors.append(
                _error(line.number, "started_on", _("The hire date overlaps an earlier spell with this employer."))
            )
            continue
        spell = open_spells.get(person.pk)
        if spell is not None and spell.section != Section.S33 and spell.valid_from >= line.started_on:
            errors.append(
                _error(line.number, "started_on", _("A section history entry already starts on or after this date."))
            )
    errors.sort(key=lambda error: error["line"] or 0)
    return Checked(lines, errors, line_count, existing, open_spells, branches)


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
    for chunk in _chunks(new_lines, BATCH):
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

    # Existing persons (another employer's, or Section 39/40): back to active, kept by this
    # employer's office, and their Section 39/40 spell closed the day before the hire.
    changed, closing = [], []
    for line in checked.lines:
        person = checked.existing.get(line.national_id)
        if person is None:
            continue
        persons[line.national_id] = person
        if person.status != InsuredPerson.Status.ACTIVE or person.office_id != office_id:
            person.status, person.office_id = InsuredPerson.Status.ACTIVE, office_id
            changed.append(person)
        spell = checked.open_spells.get(person.pk)
        if spell is not None and spell.section != Section.S33:
            spell.valid_to = line.started_on - DAY
            closing.append(spell)
    if changed:
        bulk_update_with_history(changed, InsuredPerson, ["status", "office"], batch_size=BATCH, **audit)
    if closing:
        bulk_update_with_history(closing, SectionSpell, ["valid_to"], batch_size=BATCH, **audit)
    step(len(checked.lines) - len(new_lines))

    for chunk in _chunks(checked.lines, BATCH):
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


# Progress --------------------------------------------------------------------------------


def _progress_key(upload_id) -> str:
    # The database name keeps apart several databases sharing one Redis (test runs, staging).
    return f"registry:bulk-upload:{connection.settings_dict['NAME']}:{upload_id}:progress"


def progress_get(upload: BulkUpload) -> dict:
    """{"percent": 0-100, "phase": "waiting" | "checking" | "storing" | "finished"}."""
    if upload.finished_at:
        return {"percent": 100, "phase": "finished"}
    raw = redis_client().get(_progress_key(upload.pk))
    if raw:
        return json.loads(raw)
    return {"percent": 0, "phase": "waiting" if upload.status == BulkUpload.Status.PENDING else "checking"}


def _progress_set(upload_id, percent: int, phase: str):
    redis_client().set(_progress_key(upload_id), json.dumps({"percent": int(percent), "phase": phase}), ex=PROGRESS_TTL)


# Reads -----------------------------------------------------------------------------------


def upload_employer_get(*, user, account_number: str) -> Employer | None:
    """The employer an upload is for, if `user` may see it (another office's is unknown)."""
    return (
        office_scoped(Employer.objects.select_related("responsible_office"), user)
        .filter(account_number=account_number)
        .first()
    )


def upload_list(user, limit: int = 50) -> list[BulkUpload]:
    """The latest uploads `user` may see, with their error count but not the file or the errors."""
    queryset = (
        BulkUpload.objects.select_related("employer", "uploaded_by")
        .defer("content", "errors")
        .annotate(error_count=Func(F("errors"), function="jsonb_array_length", output_field=IntegerField()))
    )
    return list(office_scoped(queryset, user).order_by("-uploaded_at", "-pk")[:limit])


def upload_get_for_user(user, pk) -> BulkUpload:
    """One upload `user` may see (without its content), or 404."""
    queryset = BulkUpload.objects.select_related("employer", "uploaded_by").defer("content")
    return object_get_for_user(queryset, user, pk=pk)


def errors_csv(upload: BulkUpload) -> bytes:
    """The upload's line errors as a CSV file (UTF-8 with BOM, for spreadsheet programs)."""
    return exports.csv_bytes(
        [str(_("Line")), str(_("Column")), str(_("Problem"))],
        ([error.get("line") or "", error.get("field") or "", error.get("message") or ""] for error in upload.errors),
    )


# The upload ------------------------------------------------------------------------------


def uploaded_file_read(uploaded_file) -> bytes:
    """The content of an uploaded file, refused before reading when it is too big."""
    try:
        return upload_read(uploaded_file)
    except UploadRefused as refused:
        raise ValidationError({"file": refused}) from None


def bulk_upload_submit(*, officer, employer: Employer, file_name: str, content: bytes) -> BulkUpload:
    """Take an upload file for an employer: check and store it now when small, otherwise
    queue it for the back office. Refuses (ValidationError) only what concerns the file as a
    whole; line errors end up on the upload (status `rejected`)."""
    if employer.status != Employer.Status.ACTIVE:
        raise ValidationError(
            {
                "account_number": ValidationError(
                    _("Employer %(account)s has ceased business.") % {"account": employer.account_number},
                    code="ceased",
                )
            }
        )
    if not content:
        raise ValidationError({"file": ValidationError(_("The file is empty."), code="empty")})
    if not file_name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
        raise ValidationError(
            {"file": ValidationError(_("Upload a CSV (.csv) or Excel (.xlsx) file."), code="file_type")}
        )
    try:
        lines = upload_file_check(file_name, content)
    except UploadRefused as refused:
        raise ValidationError({"file": refused}) from None
    upload = BulkUpload.objects.create(
        office_id=officer.office_id or employer.responsible_office_id,
        uploaded_by=officer,
        employer=employer,
        file_name=file_name[:255],
        content=content,
        language=translation.get_language() or "th",
    )
    if lines <= SYNC_MAX_LINES:
        try:
            return bulk_upload_process(upload_id=upload.pk)
        except Exception:
            bulk_upload_fail(upload_id=upload.pk)  # not left "checking" for ever
            raise
    from registry.tasks import bulk_upload_run

    transaction.on_commit(lambda: bulk_upload_run.delay(upload.pk))
    return upload


def bulk_upload_process(*, upload_id: int) -> BulkUpload:
    """Check the upload and store it if it has no error, once: an upload already finished is
    returned as it is, so a task run twice (a retry, a redelivery) does no harm."""
    claimed = BulkUpload.objects.filter(
        pk=upload_id, status__in=[BulkUpload.Status.PENDING, BulkUpload.Status.RUNNING]
    ).update(status=BulkUpload.Status.RUNNING)
    if not claimed:
        return BulkUpload.objects.get(pk=upload_id)
    _progress_set(upload_id, 0, "checking")
    with transaction.atomic():
        # The row lock keeps a second run (a redelivered task) waiting until this one commits.
        upload = (
            BulkUpload.objects.select_for_update(of=("self",))
            .select_related("employer", "uploaded_by")
            .get(pk=upload_id)
        )
        if upload.status != BulkUpload.Status.RUNNING:
            return upload
        with translation.override(upload.language):
            _run(upload)
        upload.finished_at = timezone.now()
        upload.save(update_fields=["status", "line_count", "stored_count", "errors", "finished_at"])
    _progress_set(upload_id, 100, "finished")
    return upload


def _run(upload: BulkUpload):
    started = time.monotonic()
    employer = Employer.objects.select_for_update().get(pk=upload.employer_id)
    today = timezone.localdate()
    estimate = max(person_count_estimate(upload.file_name, bytes(upload.content)), 1)

    def checking(count):
        _progress_set(upload.pk, min(49, 50 * count / estimate), "checking")

    if employer.status != Employer.Status.ACTIVE:
        checked = None
        errors = [
            _error(
                None, "employer", _("Employer %(account)s has ceased business.") % {"account": employer.account_number}
            )
        ]
    else:
        try:
            checked = upload_check(
                employer=employer,
                rows=file_rows(upload.file_name, bytes(upload.content)),
                today=today,
                progress=checking,
            )
            errors = checked.errors
        except FileUnreadable as exc:
            checked, errors = None, [_error(None, "file", exc.args[0])]
    upload.line_count = checked.line_count if checked else 0
    checked_at = time.monotonic()
    if errors:
        upload.status, upload.errors, upload.stored_count = BulkUpload.Status.REJECTED, errors, 0
        log.info(
            "upload %s: %s lines, %s errors, checked in %.1f s",
            upload.pk,
            upload.line_count,
            len(errors),
            checked_at - started,
        )
        return

    def storing(fraction):
        _progress_set(upload.pk, 50 + 49 * fraction, "storing")

    _progress_set(upload.pk, 50, "storing")
    try:
        with transaction.atomic():
            stored = upload_store(
                employer=employer, checked=checked, officer=upload.uploaded_by, today=today, progress=storing
            )
    except IntegrityError:
        # Another officer registered one of these persons between the check and the store.
        upload.status, upload.stored_count = BulkUpload.Status.REJECTED, 0
        upload.errors = [
            _error(None, "", _("Some of these records changed while the file was being stored; upload it again."))
        ]
        return
    upload.status, upload.errors, upload.stored_count = BulkUpload.Status.DONE, [], stored
    log.info(
        "upload %s: %s lines, checked in %.1f s, stored in %.1f s",
        upload.pk,
        stored,
        checked_at - started,
        time.monotonic() - checked_at,
    )


def bulk_uploads_fail_stale(*, now=None) -> int:
    """Mark failed the uploads still being checked long after their task's hard time limit:
    a worker killed there (or lost) never says so, and the page would wait for ever."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=2 * settings.UPLOAD_TASK_TIME_LIMIT)
    stale = list(
        BulkUpload.objects.filter(
            status=BulkUpload.Status.RUNNING, finished_at__isnull=True, uploaded_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for upload_id in stale:
        bulk_upload_fail(upload_id=upload_id, timed_out=True)
    return len(stale)


def bulk_upload_fail(*, upload_id: int, timed_out: bool = False) -> None:
    """Mark an upload the back office gave up on (after its retries, or past its time
    limit), so the page stops waiting."""
    upload = BulkUpload.objects.filter(pk=upload_id).first()
    if upload is None or upload.finished_at is not None:
        return
    with translation.override(upload.language):
        if timed_out:
            message = str(
                _("Checking the file took too long; nothing was stored. Split it into smaller files and upload them.")
            )
        else:
            message = str(
                _("The file could not be processed because of a system error; nothing was stored. Try again.")
            )
    BulkUpload.objects.filter(pk=upload_id, finished_at__isnull=True).update(
        status=BulkUpload.Status.FAILED, errors=[_error(None, "", message)], finished_at=timezone.now()
    )
    _progress_set(upload_id, 100, "finished")
