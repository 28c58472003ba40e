"""Contribution statements from files: the SSO 1-10 fixed-width text file and its Excel form.

The text file has 135 characters a line (counted after decoding), amounts in satang,
zero-filled, no decimal point; Thai TIS-620 / Windows-874 as the SSO writes it, UTF-8
accepted; CRLF, LF accepted. A header line (record type 1) opens each branch's statement and
the detail lines (record type 2) that follow it are its employees, so one file may hold the
statements of several branches. The Excel form has one sheet per branch (the sheet's title is
the branch number), a header row and one employee a row; the employer account and the wage
period come from the upload form.

`statement_file_submit` reads the file, then files each statement through
`services.statement_submit` in one transaction: every fault of every statement is reported
in one `StatementRefused` (line numbers as in the file) and nothing is stored unless all are
good. The reading is one pass over the lines; the checks are the services' set-based ones.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from contributions import rules, services
from contributions.models import Source, Statement
from contributions.services import Declared, LineError, LineInput, StatementRefused
from registry.models import Branch, Employer
from sso.core.formats import BE_OFFSET, lazy_format
from sso.core.scoping import office_scoped
from sso.core.uploads import (
    Counter,
    UploadRefused,
    is_zip,
    size_check,
    text_lines_check,
    upload_read,
    xlsx_open,
    xlsx_sheet_rows,
)

WIDTH = 135
HEAD_OFFICE = "000000"
ENCODING = "cp874"  # Windows-874, a superset of TIS-620

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

_THAI = re.compile("[\u0e00-\u0e7f]")
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


# Reading the text file ------------------------------------------------------------------------


def _decode(content: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 when the file is valid UTF-8 holding Thai letters, otherwise
    Windows-874 (TIS-620). A plain ASCII file reads the same either way."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    text = None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if text is not None and (_THAI.search(text) or text.isascii()) and "\x00" not in text:
        return text, "utf-8" if not text.isascii() else "ascii"
    try:
        text = content.decode(ENCODING)
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise _file_error(
            _(
                "Wrong encoding: the file is neither Thai TIS-620 (Windows-874) nor UTF-8 text."
                " Save it again as TIS-620 or UTF-8."
            ),
            "encoding",
        )
    return text, ENCODING


def _digits(text: str) -> bool:
    return bool(_DIGITS.match(text))


class _LineReader:
    """Cuts one record into its fields, reporting each faulty field on the line."""

    def __init__(self, number: int, text: str, layout: dict, errors: list):
        self.number, self.text, self.layout, self.errors = number, text, layout, errors
        self.faulty = False

    def raw(self, name: str) -> str:
        start, end = self.layout[name]
        return self.text[start:end]

    def fault(self, name, message, expected="", found=None, code="invalid"):
        self.faulty = True
        self.errors.append(
            LineError(
                self.number,
                name,
                message,
                expected=expected,
                found=self.raw(name) if found is None else found,
                code=code,
            )
        )

    def digits(self, name: str, message=None) -> str | None:
        value = self.raw(name)
        if _digits(value):
            return value
        start, end = self.layout[name]
        self.fault(
            name,
            message or _("Digits only, zero-filled, without a decimal point."),
            expected=lazy_format(_("%(count)s digits"), {"count": end - start}),
            code="digits",
        )
        return None

    def amount(self, name: str) -> Decimal | None:
        value = self.digits(name, _("An amount is in satang: digits only, zero-filled, without a decimal point."))
        return None if value is None else _satang(value)


def _header_read(reader: _LineReader) -> Group:
    account = reader.digits("employer_account")
    branch = reader.digits("branch")
    period = None
    mmyy = reader.digits("period")
    if mmyy is not None:
        if 1 <= int(mmyy[:2]) <= 12:
            period = datetime.date(_be_year(int(mmyy[2:])), int(mmyy[:2]), 1)
        else:
            reader.fault("period", _("The wage period is month and year (B.E.) as MMYY."), expected="MMYY", code="date")
    paid_on = None
    ddmmyy = reader.raw("paid_on")
    if ddmmyy.strip(" 0"):
        try:
            if not _digits(ddmmyy):
                raise ValueError(ddmmyy)
            paid_on = datetime.date(_be_year(int(ddmmyy[4:])), int(ddmmyy[2:4]), int(ddmmyy[:2]))
        except ValueError:
            reader.fault(
                "paid_on", _("The payment date is day, month and year (B.E.) as DDMMYY."), "DDMMYY", code="date"
            )
    rate = reader.digits("rate")
    head_count = reader.digits("head_count")
    declared = Declared(
        head_count=None if head_count is None else int(head_count),
        total_wages=reader.amount("total_wages"),
        total_contributions=reader.amount("total_contributions"),
        employee_total=reader.amount("employee_total"),
        employer_total=reader.amount("employer_total"),
        employee_rate=None if rate is None else _satang(rate),
    )
    return Group(
        header_line=reader.number,
        account=account,
        branch=branch,
        period=period,
        company_name=reader.raw("company_name").strip(),
        paid_on=paid_on,
        declared=declared,
        faulty=reader.faulty,
    )


# A detail line without a fault (the slow path below names each fault of the others).
_GOOD_DETAIL = re.compile(r"2(\d{13})(\d{3}| {3})(.{30})(.{35})(\d{14})(\d{12}) {27}", re.ASCII | re.DOTALL)


def _detail_read(reader: _LineReader) -> LineInput | None:
    national_id = reader.digits("national_id", _("A national ID is 13 digits."))
    title = reader.raw("title").strip()
    if title and not _digits(title):
        reader.fault("title", _("The title is a code: 003 Mr, 004 Miss, 005 Mrs."), expected="003/004/005")
    wage = reader.amount("wage")
    contribution = reader.amount("contribution")
    if reader.raw("blank").strip():
        reader.fault("blank", _("The last 27 characters of a detail line are blank."), code="width")
    if reader.faulty:
        return None
    return LineInput(
        line=reader.number,
        national_id=national_id,
        wage=wage,
        employee_amount=contribution,
        title=title,
        first_name=reader.raw("first_name").strip(),
        last_name=reader.raw("last_name").strip(),
    )


def sso110_parse(content: bytes) -> Parsed:
    """Read an SSO 1-10 text file: its statements and every fault found in reading it
    (what the registry and the rules say about it is checked afterwards)."""
    parsed = Parsed(kind=Source.FILE)
    text, parsed.encoding = _decode(content)
    try:
        text_lines_check(text)
    except UploadRefused as refused:
        raise _file_error(refused.reason, refused.code) from None
    errors = parsed.errors
    group = None
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip() or line == "\x1a":  # blank lines and a DOS end-of-file mark
            continue
        kind = line[0]
        if kind not in "12":
            errors.append(
                LineError(
                    number,
                    "record_type",
                    _("Unknown record type: a line starts with 1 (header) or 2 (employee)."),
                    expected="1/2",
                    found=kind,
                    code="record_type",
                )
            )
            if group is not None:
                group.faulty = True
            continue
        if len(line) != WIDTH:
            errors.append(
                LineError(
                    number,
                    "width",
                    lazy_format(
                        _("A line of an SSO 1-10 file has %(width)s characters; this one has %(count)s."),
                        {"width": WIDTH, "count": len(line)},
                    ),
                    expected=str(WIDTH),
                    found=str(len(line)),
                    code="width",
                )
            )
            if kind == "1":  # its employees belong to a statement that cannot be read
                group = Group(header_line=number, account=None, branch=None, period=None, faulty=True)
                parsed.groups.append(group)
            elif group is not None:
                group.faulty = True
            continue
        if kind == "1":
            group = _header_read(_LineReader(number, line, _HEADER_AT, errors))
            parsed.groups.append(group)
            continue
        good = _GOOD_DETAIL.fullmatch(line)
        if good is not None and group is not None:  # the usual case, read in one step
            national_id, title, first_name, last_name, wage, contribution = good.groups()
            group.lines.append(
                LineInput(
                    number,
                    national_id,
                    Decimal(wage).scaleb(-2),
                    Decimal(contribution).scaleb(-2),
                    title.strip(),
                    first_name.strip(),
                    last_name.strip(),
                )
            )
            continue
        detail = _detail_read(_LineReader(number, line, _DETAIL_AT, errors))
        if group is None:
            errors.append(
                LineError(
                    number,
                    "record_type",
                    _("An employee line comes before any header line (record type 1)."),
                    expected="1",
                    found=kind,
                    code="no_header",
                )
            )
        elif detail is None:
            group.faulty = True
        else:
            group.lines.append(detail)
    if not parsed.groups and not errors:
        raise _file_error(_("The file holds no SSO 1-10 statement (no header line)."), "empty")
    return parsed


# Reading the Excel form -------------------------------------------------------------------------


def _header_key(text) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).lower()
    return re.sub(r"[\s_\-.()*\[\]:]", "", text)


EXCEL_COLUMNS = {
    "national_id": ("national_id", "national id", "id", "pin", "เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "เลขประจำตัว"),
    "title": ("title", "title code", "คำนำหน้า", "คำนำหน้าชื่อ", "คำนำหน้านาม"),
    "first_name": ("first_name", "first name", "name", "ชื่อ"),
    "last_name": ("last_name", "last name", "surname", "นามสกุล"),
    "wage": ("wage", "wages", "ค่าจ้าง"),
    "contribution": ("contribution", "contributions", "employee contribution", "เงินสมทบ", "เงินสมทบผู้ประกันตน"),
}
EXCEL_REQUIRED = ("national_id", "wage")
_EXCEL_LOOKUP = {_header_key(alias): column for column, aliases in EXCEL_COLUMNS.items() for alias in aliases}
_TITLES = {"นาย": "003", "mr": "003", "นางสาว": "004", "น.ส.": "004", "miss": "004", "นาง": "005", "mrs": "005"}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell_amount(value) -> Decimal:
    """Baht, as a number or text ("15,000.00"); at most 2 decimals. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(value) from None
    # An amount is stored as numeric(14, 2): a bigger one is not an amount (nor quantizable).
    if not amount.is_finite() or abs(amount) >= AMOUNT_LIMIT:
        raise ValueError(value)
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if rounded != amount:
        raise ValueError(value)
    return rounded


AMOUNT_LIMIT = Decimal("1e12")
HEADER_ROWS_SEARCHED = 10  # title rows may stand above the header row


def _sheet_rows(sheet, sheet_name: str, group: Group, errors: list, counter: Counter):
    rows = xlsx_sheet_rows(sheet, counter)
    columns = None
    first_row, searched = None, 0
    for number, row in enumerate(rows, start=1):
        if not any(cell not in (None, "") for cell in row):
            continue
        if columns is None:
            first_row = first_row or number
            searched += 1
            found = {}
            for index, cell in enumerate(row):
                column = _EXCEL_LOOKUP.get(_header_key(cell))
                if column and column not in found:
                    found[column] = index
            missing = [column for column in EXCEL_REQUIRED if column not in found]
            if not missing:
                columns = found
            elif searched >= HEADER_ROWS_SEARCHED:
                break
            continue
        cells = {column: (row[index] if index < len(row) else None) for column, index in columns.items()}
        line_faulty = False

        def fault(name, message, found, expected="", code="invalid", number=number):
            nonlocal line_faulty
            line_faulty = True
            error = LineError(number, name, message, expected=expected, found=_cell_text(found), code=code)
            error.sheet = sheet_name
            errors.append(error)

        national_id = re.sub(r"[\s\-]", "", _cell_text(cells["national_id"]))
        if not (len(national_id) == 13 and _digits(national_id)):
            fault("national_id", _("A national ID is 13 digits."), cells["national_id"], "13", "digits")
        wage = contribution = None
        try:
            wage = _cell_amount(cells["wage"])
        except ValueError:
            fault("wage", _("The wage is an amount in baht, e.g. 15000.00."), cells["wage"], code="digits")
        if cells.get("contribution") not in (None, ""):
            try:
                contribution = _cell_amount(cells["contribution"])
            except ValueError:
                fault("contribution", _("The contribution is an amount in baht."), cells["contribution"], code="digits")
        if line_faulty:
            group.faulty = True
            continue
        title = _cell_text(cells.get("title"))
        group.lines.append(
            LineInput(
                line=number,
                national_id=national_id,
                wage=wage,
                employee_amount=contribution,
                title=_TITLES.get(title.lower(), title),
                first_name=_cell_text(cells.get("first_name")),
                last_name=_cell_text(cells.get("last_name")),
            )
        )
    if columns is None and first_row is None:
        error = LineError(0, "sheet", _("The sheet is empty."), found=sheet_name, code="empty")
        error.sheet = sheet_name
        errors.append(error)
        group.faulty = True
    elif columns is None:
        error = LineError(
            first_row,
            "national_id",
            _("No header row names the national ID and wage columns (in Thai or English)."),
            expected="national id / เลขประจำตัวประชาชน, wage / ค่าจ้าง",
            code="column",
        )
        error.sheet = sheet_name
        errors.append(error)
        group.faulty = True


def excel_parse(content: bytes, *, employer_account: str | None, period: datetime.date | None) -> Parsed:
    """Read the Excel form of SSO 1-10: one sheet per branch, named by its 6-digit number
    (a workbook of one sheet with another name is the head office's)."""
    parsed = Parsed(kind=Source.EXCEL)
    try:
        # Bounded: the workbook is inspected before openpyxl opens it, and its rows counted as read.
        workbook = xlsx_open(content)
    except UploadRefused as refused:
        raise _file_error(refused.reason, refused.code) from None
    counter = Counter()
    try:
        sheets = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
        for sheet in sheets:
            name = sheet.title.strip()
            branch = name if re.fullmatch(r"\d{6}", name) else None
            if branch is None and len(sheets) == 1:
                branch = HEAD_OFFICE
            group = Group(header_line=0, account=employer_account, branch=branch, period=period, sheet=name)
            if branch is None:
                error = LineError(
                    0,
                    "sheet",
                    _("Name each sheet by its 6-digit branch number (000000 for the head office)."),
                    expected="000000",
                    found=name,
                    code="sheet",
                )
                error.sheet = name
                parsed.errors.append(error)
                group.faulty = True
            _sheet_rows(sheet, name, group, parsed.errors, counter)
            parsed.groups.append(group)
    except UploadRefused as refused:
        raise _file_error(refused.reason, refused.code) from None
    finally:
        workbook.close()
    return parsed


def _is_xlsx(file_name: str, content: bytes) -> bool:
    return is_zip(content) or file_name.lower().endswith((".xlsx", ".xlsm"))


def statement_file_read(*, file_name: str, content: bytes, employer_account: str | None = None, period=None) -> Parsed:
    """The statements of an uploaded file and the faults found in reading it. Raises
    `StatementRefused` when the file cannot be read at all."""
    errors = []
    if not content:
        raise StatementRefused([LineError(0, "file", _("The file is empty."), code="empty")])
    try:
        size_check(len(content))
    except UploadRefused as refused:
        raise _refused_file(refused) from None
    account = re.sub(r"[\s\-]", "", employer_account or "") or None
    if account is not None and not (len(account) == 10 and _digits(account)):
        errors.append(
            LineError(
                0, "employer_account", _("An employer account number has 10 digits."), found=account, code="digits"
            )
        )
    wage_period = None
    if period not in (None, ""):
        try:
            wage_period = period_parse(period)
        except ValueError:
            errors.append(
                LineError(
                    0,
                    "period",
                    _("Write the wage period as month/year, e.g. 01/2569 (B.E.) or 01/2026."),
                    found=str(period),
                    code="date",
                )
            )
    try:
        if _is_xlsx(file_name, content):
            if account is None and not any(error.field == "employer_account" for error in errors):
                errors.append(
                    LineError(
                        0, "employer_account", _("Give the employer account number of an Excel form."), code="required"
                    )
                )
            if wage_period is None and not any(error.field == "period" for error in errors):
                errors.append(LineError(0, "period", _("Give the wage period of an Excel form."), code="required"))
            parsed = excel_parse(content, employer_account=account, period=wage_period)
        else:
            parsed = sso110_parse(content)
            for group in parsed.groups:
                if account is not None and group.account is not None and group.account != account:
                    errors.append(
                        LineError(
                            group.header_line,
                            "employer_account",
                            _("The file is for another employer than the one given in the form."),
                            expected=account,
                            found=group.account,
                            code="other_employer",
                        )
                    )
                if wage_period is not None and group.period is not None and group.period != wage_period:
                    errors.append(
                        LineError(
                            group.header_line,
                            "period",
                            _("The file is for another wage period than the one given in the form."),
                            expected=_period_text(wage_period),
                            found=_period_text(group.period),
                            code="other_period",
                        )
                    )
    except _Fatal as fatal:
        raise StatementRefused([*errors, fatal.error]) from None
    parsed.errors[:0] = errors
    return parsed


# Filing ----------------------------------------------------------------------------------


def _unknown_employer(group: Group) -> LineError:
    return LineError(
        group.header_line,
        "employer_account",
        lazy_format(
            _("No employer with account number %(account)s is known at your office."), {"account": group.account}
        ),
        found=group.account or "",
        code="unknown_employer",
    )


def _placed(errors: list[LineError], group: Group) -> list[LineError]:
    """The services number a statement's own faults 0 (and its declared totals 1): here they
    are the group's header line; each error names the sheet of an Excel form."""
    for error in errors:
        if error.line in (0, 1) and error.field not in _DETAIL_AT:
            error.line = group.header_line
        if group.sheet:
            error.sheet = group.sheet
    return errors


def _resolve(groups: list[Group], officer):
    """The employers (only those the officer may see) and their branches, in two queries."""
    accounts = {group.account for group in groups if group.account}
    employers = {
        employer.account_number: employer
        for employer in office_scoped(Employer.objects.select_related("responsible_office"), officer).filter(
            account_number__in=accounts
        )
    }
    branches = {
        (branch.employer_id, branch.number): branch
        for branch in Branch.objects.filter(
            employer__in=list(employers.values()), number__in={group.branch for group in groups if group.branch}
        )
    }
    return employers, branches


def _unknown_persons(unknown: list[dict], group: Group, employer: Employer) -> list[dict]:
    return [
        {**person, "employer_id": employer.pk, "employer_account": employer.account_number, "sheet": group.sheet}
        for person in unknown
    ]


def error_sort_key(error: LineError):
    return (getattr(error, "sheet", ""), error.line)


def statement_file_submit(
    *,
    officer,
    file_name: str,
    content: bytes,
    employer_account: str | None = None,
    period=None,
    source: str | None = None,
    today: datetime.date | None = None,
) -> list[Statement]:
    """File every statement of an SSO 1-10 file (text or Excel form) in one transaction:
    all are stored, or none and a `StatementRefused` lists every fault of every statement
    (with the persons not yet registered, to register first)."""
    parsed = statement_file_read(file_name=file_name, content=content, employer_account=employer_account, period=period)
    source = source or parsed.kind
    errors = list(parsed.errors)
    unknown: list[dict] = []
    employers, branches = _resolve(parsed.groups, officer)
    statements = []
    with transaction.atomic():
        seen: dict[tuple, int] = {}
        for group in parsed.groups:
            if group.account is None or group.branch is None:
                continue  # its header could not be read: reported already
            employer = employers.get(group.account)
            if employer is None:
                errors.append(_unknown_employer(group))
                continue
            branch = branches.get((employer.pk, group.branch))
            if branch is None:
                error = LineError(
                    group.header_line,
                    "branch",
                    lazy_format(
                        _("Employer %(account)s has no branch %(branch)s."),
                        {"account": employer.account_number, "branch": group.branch},
                    ),
                    found=group.branch,
                    code="unknown_branch",
                )
                errors.extend(_placed([error], group))
                continue
            if group.period is None:
                continue
            if (branch.pk, group.period) in seen:
                error = LineError(
                    group.header_line,
                    "period",
                    lazy_format(
                        _(
                            "The file holds a second statement for this branch and wage period"
                            " (the first is at line %(line)s)."
                        ),
                        {"line": seen[(branch.pk, group.period)]},
                    ),
                    found=_period_text(group.period),
                    code="duplicate",
                )
                errors.extend(_placed([error], group))
                continue
            seen[(branch.pk, group.period)] = group.header_line
            if group.faulty and not group.lines:
                continue  # every line of it is faulty, and reported
            declared = None if group.faulty else group.declared
            kwargs = {"employer": employer, "branch": branch, "period": group.period, "lines": group.lines}
            try:
                if errors:  # nothing will be stored: check only, to report every fault
                    checked = services.statement_check(declared=declared, today=today, **kwargs)
                    group_errors, group_unknown = checked.errors, checked.unknown
                else:
                    statements.append(
                        services.statement_submit(
                            officer=officer,
                            declared=declared,
                            source=source,
                            file_name=file_name,
                            today=today,
                            **kwargs,
                        )
                    )
                    continue
            except StatementRefused as refused:
                group_errors, group_unknown = refused.line_errors, refused.unknown_persons
            errors.extend(_placed(group_errors, group))
            unknown.extend(_unknown_persons(group_unknown, group, employer))
        if not parsed.groups and not errors:
            errors.append(LineError(0, "file", _("The file holds no statement."), code="empty"))
        if errors:
            # Raised inside the transaction: the statements of the good groups are undone too.
            raise StatementRefused(sorted(errors, key=error_sort_key), unknown)
    return statements


# Writing ------------------------------------------------------------------------------------


@dataclass
class FileLine:
    """One employee line to write."""

    national_id: str
    wage: Decimal
    contribution: Decimal
    title: str = "003"
    first_name: str = ""
    last_name: str = ""


@dataclass
class FileGroup:
    """One statement to write: a header and its employee lines."""

    account: str
    branch: str
    period: datetime.date
    lines: list[FileLine]
    company_name: str = ""
    paid_on: datetime.date | None = None
    employee_rate: Decimal = Decimal("5.00")
    employer_total: Decimal | None = None  # the sum of the employees' shares when not given

    @property
    def total_wages(self) -> Decimal:
        return sum((line.wage for line in self.lines), Decimal("0.00"))

    @property
    def employee_total(self) -> Decimal:
        return sum((line.contribution for line in self.lines), Decimal("0.00"))


def sso110_group(
    *, account: str, branch: str = HEAD_OFFICE, period: datetime.date, persons, company_name: str = "", province_id=None
) -> FileGroup:
    """A statement to write whose shares are computed by the rules in force for the period:
    `persons` gives (national ID, wage) or (national ID, wage, title, first name, surname)."""
    rate = rules.rate_for(rules.period_of(period), province_id)
    lines, employer_total = [], Decimal("0.00")
    for person in persons:
        national_id, wage, *names = person
        amounts = rules.line_compute(Decimal(wage), rate)
        employer_total += amounts.employer
        title, first_name, last_name = (*names, "", "", "")[:3] if names else ("003", "", "")
        lines.append(FileLine(national_id, Decimal(wage), amounts.employee, title or "003", first_name, last_name))
    return FileGroup(
        account=account,
        branch=branch,
        period=rules.period_of(period),
        lines=lines,
        company_name=company_name,
        employee_rate=rate.employee_rate,
        employer_total=employer_total,
    )


def statement_file_group(statement: Statement) -> FileGroup:
    """A stored statement as it would be written in an SSO 1-10 file."""
    lines = [
        FileLine(
            national_id=line.person.national_id,
            wage=line.wage,
            contribution=line.employee_amount,
            title=line.person.title,
            first_name=line.person.first_name_th,
            last_name=line.person.last_name_th,
        )
        for line in statement.lines.select_related("person").order_by("line_number")
    ]
    return FileGroup(
        account=statement.employer.account_number,
        branch=statement.branch.number,
        period=statement.period,
        lines=lines,
        company_name=statement.employer.name_th,
        employee_rate=statement.employee_rate,
        employer_total=statement.employer_total,
    )


def _amount(value, width: int) -> str:
    satang = int((Decimal(value) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    text = f"{satang:0{width}d}"
    if satang < 0 or len(text) > width:
        raise ValueError(f"{value} does not fit {width} digits")
    return text


def _text(value: str, width: int) -> str:
    return (value or "")[:width].ljust(width)


def sso110_render(source, *, encoding: str = ENCODING, newline: str = "\r\n") -> bytes:
    """An SSO 1-10 text file (Windows-874 and CRLF unless told) of a stored statement, a
    `FileGroup`, or a list of either (one header and its lines for each)."""
    items = source if isinstance(source, list | tuple) else [source]
    out = []
    for item in items:
        group = statement_file_group(item) if isinstance(item, Statement) else item
        employee_total = group.employee_total
        employer_total = employee_total if group.employer_total is None else group.employer_total
        paid = group.paid_on
        out.append(
            "1"
            + _text(group.account, 10)
            + _text(group.branch, 6)
            + (f"{paid.day:02d}{paid.month:02d}{(paid.year + BE_OFFSET) % 100:02d}" if paid else "000000")
            + f"{group.period.month:02d}{(group.period.year + BE_OFFSET) % 100:02d}"
            + _text(group.company_name, 45)
            + _amount(group.employee_rate, 4)
            + f"{len(group.lines):06d}"
            + _amount(group.total_wages, 15)
            + _amount(employee_total + employer_total, 14)
            + _amount(employee_total, 12)
            + _amount(employer_total, 12)
        )
        for line in group.lines:
            out.append(
                "2"
                + _text(line.national_id, 13)
                + _text(line.title, 3)
                + _text(line.first_name, 30)
                + _text(line.last_name, 35)
                + _amount(line.wage, 14)
                + _amount(line.contribution, 12)
                + " " * 27
            )
    return (newline.join(out) + newline).encode(encoding, errors="replace")


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
