"""The SSO 1-10 Excel form: one sheet per branch (the sheet's title is the branch number), a
header row (found among the first rows, by the column names) and one employee a row; the
employer account and the wage period come from the upload form."""

import datetime
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from contributions.models import Source
from contributions.services.statements import (
    LineError,
    LineInput,
)
from contributions.sso110.layout import HEAD_OFFICE, Group, Parsed, _digits, _file_error
from sso.core.uploads import (
    Counter,
    UploadRefused,
    xlsx_open,
    xlsx_sheet_rows,
)

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
