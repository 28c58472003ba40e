"""The SSO 1-10 file's layout and what its readers share: the fixed-width records, the
field labels of error lists, the values (satang amounts, B.E. periods), a read file's
statements (`Group`, `Parsed`) and the errors as rows of the error file."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from contributions.services.statements import (
    Declared,
    LineError,
    LineInput,
    StatementRefused,
)
from sso.core.formats import BE_OFFSET, lazy_format
from sso.core.uploads import (
    THAI_ENCODING,
    UploadRefused,
    upload_read,
)

WIDTH = 135
HEAD_OFFICE = "000000"
ENCODING = THAI_ENCODING  # as the SSO writes the file

# (field, start, end) of each record, as in the SSO 1-10 layout.
HEADER = (
    ("record_type", 0, 1),
    ("employer_account", 1, 11),
    ("branch", 11, 17),
    ("paid_on", 17, 23),
    ("period", 23, 27),
    ("company_name", 27, 72),
    ("rate", 72, 76),
    ("head_count", 76, 82),
    ("total_wages", 82, 97),
    ("total_contributions", 97, 111),
    ("employee_total", 111, 123),
    ("employer_total", 123, 135),
)
DETAIL = (
    ("record_type", 0, 1),
    ("national_id", 1, 14),
    ("title", 14, 17),
    ("first_name", 17, 47),
    ("last_name", 47, 82),
    ("wage", 82, 96),
    ("contribution", 96, 108),
    ("blank", 108, 135),
)
_HEADER_AT = {name: (start, end) for name, start, end in HEADER}
_DETAIL_AT = {name: (start, end) for name, start, end in DETAIL}

# How the page and the error file name each field.
FIELD_LABELS = {
    "file": _("File"),
    "sheet": _("Sheet"),
    "record_type": _("Record type"),
    "width": _("Line length"),
    "employer_account": _("Employer account number"),
    "employer": _("Employer"),
    "branch": _("Branch"),
    "paid_on": _("Payment date"),
    "period": _("Wage period"),
    "company_name": _("Company name"),
    "rate": _("Rate"),
    "head_count": _("Head count"),
    "total_wages": _("Total wages"),
    "total_contributions": _("Total contributions"),
    "employee_total": _("Employee share"),
    "employer_total": _("Employer share"),
    "national_id": _("National ID"),
    "title": _("Title"),
    "first_name": _("First name"),
    "last_name": _("Surname"),
    "wage": _("Wage"),
    "contribution": _("Contribution"),
    "blank": _("Filler"),
    "lines": _("Employees"),
    "amends": _("Amends"),
}

_DIGITS = re.compile(r"^[0-9]+$")


class _Fatal(Exception):
    """The file cannot be read at all (the errors are given)."""

    def __init__(self, error: LineError):
        self.error = error


def _file_error(message, code, found="") -> _Fatal:
    return _Fatal(LineError(0, "file", message, found=found, code=code))


def _refused_file(refused: UploadRefused) -> StatementRefused:
    return StatementRefused([LineError(0, "file", refused.reason, code=refused.code)])


def upload_content(uploaded_file) -> bytes:
    """The content of an uploaded statement file, refused (`StatementRefused`) before it is
    read when it is bigger than the upload limit."""
    try:
        return upload_read(uploaded_file)
    except UploadRefused as refused:
        raise _refused_file(refused) from None


# What a file holds -------------------------------------------------------------------------


@dataclass
class Group:
    """One statement of a file: a header line and its detail lines (or one Excel sheet)."""

    header_line: int
    account: str | None
    branch: str | None
    period: datetime.date | None
    company_name: str = ""
    paid_on: datetime.date | None = None
    declared: Declared | None = None
    lines: list[LineInput] = field(default_factory=list)
    sheet: str = ""
    faulty: bool = False  # a line of it could not be read: its declared totals are not compared


@dataclass
class Parsed:
    kind: str  # Source.FILE or Source.EXCEL
    groups: list[Group] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    encoding: str = ""


# Values ----------------------------------------------------------------------------------


def _satang(text: str) -> Decimal:
    return Decimal(int(text)).scaleb(-2)


def _be_year(two_digits: int) -> int:
    """A 2-digit B.E. year of an SSO file as a C.E. year (69 -> 2569 B.E. -> 2026)."""
    return 2500 + two_digits - BE_OFFSET


def _period_text(period: datetime.date) -> str:
    return f"{period.month:02d}/{period.year + BE_OFFSET}"


def period_parse(value) -> datetime.date:
    """A wage period typed as month/year (B.E. from 2400, else C.E.), year-month, or MMYY
    in B.E. as in the file; returns the first day of the month. Raises ValueError."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    if match := re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{4})", text):
        month, year = int(match[1]), int(match[2])
    elif match := re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text):
        year, month = int(match[1]), int(match[2])
    elif re.fullmatch(r"\d{4}", text):
        month, year = int(text[:2]), _be_year(int(text[2:]))
    else:
        raise ValueError(text)
    if year >= 2400:
        year -= BE_OFFSET
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        raise ValueError(text)
    return datetime.date(year, month, 1)


def _digits(text: str) -> bool:
    return bool(_DIGITS.match(text))


def error_sort_key(error: LineError):
    return (getattr(error, "sheet", ""), error.line)


_LAZY_FORMAT = type(lazy_format("", {}))


def _rendered(message, cache: dict) -> str:
    """`str(message)` in the active language, each translated template rendered once per
    call of `errors_as_dicts`: a file of 150,000 bad lines holds a handful of templates,
    and a gettext per line and language cost most of the time of its refusal."""
    if type(message) is _LAZY_FORMAT:
        template, params = message._args
    elif isinstance(message, Promise):
        template, params = message, None
    else:
        return str(message)
    if not isinstance(template, Promise):
        return str(message)
    try:
        key = (type(template), template._args, tuple(sorted(template._kw.items())))
        text = cache.get(key)
    except (AttributeError, TypeError):  # not a proxy of the usual shape: no shortcut
        return str(message)
    if text is None:
        text = cache[key] = str(template)
    return text if params is None else text % params


def errors_as_dicts(errors: list[LineError], languages=("th", "en")) -> list[dict]:
    """Each error with its message rendered in each language (`message_th`, `message_en`)."""
    from django.utils import translation

    cache: dict = {}
    rows = [
        {
            "sheet": getattr(error, "sheet", ""),
            "line": error.line,
            "field": error.field,
            "expected": _rendered(error.expected, cache),
            "found": str(error.found),
            "code": error.code,
        }
        for error in errors
    ]
    for language in languages:
        with translation.override(language):
            cache = {}
            for row, error in zip(rows, errors, strict=True):
                row[f"message_{language}"] = _rendered(error.message, cache)
    return rows
