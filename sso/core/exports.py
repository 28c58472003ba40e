"""CSV and Excel exports that a spreadsheet program opens without running anything.

Every export (arrears, error lists, upload templates) writes through these functions.
Text that came from people (an employer's name, a line of an uploaded file) may start
with `=`, `+`, `-`, `@`, a tab or a carriage return, which Excel and LibreOffice read as a
formula: `=HYPERLINK(...)` becomes a link, `+cmd|' /C calc'!A0` asks to run a program
(OWASP, "CSV Injection"). Such text gets a leading `'` here, in CSV and XLSX alike, and
XLSX text cells are written as strings, never as formulas or error codes.
Numbers, Decimals and dates are not text: they stay numbers (a negative amount is a
number, not a formula); a "-5" typed by someone is text, and is neutralised.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header

# The characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_NUMBER_TYPES = (int, float, Decimal, datetime.date, datetime.datetime, datetime.time)


def neutralise(value):
    """`value` as a cell that cannot become a formula: text starting with a formula
    character gets a leading single quote; numbers, dates and None are returned as they are."""
    if isinstance(value, Promise):  # a lazy translation is text
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES):
        value = str(value)
    return neutralise(value)


def csv_bytes(header: Sequence | None, rows: Iterable[Sequence]) -> bytes:
    """A CSV file in UTF-8 with a byte-order mark (so that Excel reads Thai as Thai) and
    CRLF line ends; `header` first when given. A row may be empty (a blank separator line)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    if header is not None:
        writer.writerow([_csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return out.getvalue().encode("utf-8")


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def csv_response(filename: str, header: Sequence | None, rows: Iterable[Sequence]) -> HttpResponse:
    """`csv_bytes` as a download named `filename`."""
    return _attachment(HttpResponse(csv_bytes(header, rows), content_type=CSV_CONTENT_TYPE), filename)


# The control characters a worksheet cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, which
# would refuse the whole file): each is written as a replacement character instead.
_XLSX_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _xlsx_text(value: str) -> str:
    return _XLSX_ILLEGAL.sub("\ufffd", neutralise(value))[:32767]


def xlsx_bytes(
    *,
    title: str,
    header: Sequence | None,
    rows: Iterable[Sequence],
    number_formats: dict[int, str] | None = None,
    totals: Sequence | None = None,
    widths: dict[int, float] | None = None,
) -> bytes:
    """One sheet named `title` (cut to Excel's 31 characters), the header in bold, written
    in write-only mode. Text cells are strings (data type `s`) whatever they hold; numbers
    and dates keep their type; `number_formats` maps a column index to its number format,
    `widths` to its width in characters; `totals`, when given, is a last row in bold."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_xlsx_title(title))
    formats = number_formats or {}
    for index, width in (widths or {}).items():
        sheet.column_dimensions[get_column_letter(index + 1)].width = width

    def cell(value, index: int, font=None):
        if isinstance(value, Promise):
            value = str(value)
        if value is not None and (isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES)):
            value = str(value)
        if isinstance(value, str):
            written = WriteOnlyCell(sheet, value=_xlsx_text(value))
            written.data_type = "s"  # never a formula ('f') or an error code ('e')
        else:
            written = WriteOnlyCell(sheet, value=value)
            if index in formats:
                written.number_format = formats[index]
        if font is not None:
            written.font = font
        return written

    if header is not None:
        bold = Font(bold=True)
        sheet.append([cell(value, index, bold) for index, value in enumerate(header)])
    for row in rows:
        sheet.append([cell(value, index) for index, value in enumerate(row)])
    if totals is not None:
        bold = Font(bold=True)
        sheet.append([cell(value, index, bold) for index, value in enumerate(totals)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_title(title: str) -> str:
    # Excel refuses these characters in a sheet's name.
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in str(title))
    return cleaned[:31] or "Sheet"


def xlsx_response(
    filename: str,
    *,
    title: str,
    header: Sequence | None,
    rows: Iterable[Sequence],
    number_formats: dict[int, str] | None = None,
    totals: Sequence | None = None,
    widths: dict[int, float] | None = None,
) -> HttpResponse:
    """`xlsx_bytes` as a download named `filename`."""
    content = xlsx_bytes(
        title=title, header=header, rows=rows, number_formats=number_formats, totals=totals, widths=widths
    )
    return _attachment(HttpResponse(content, content_type=XLSX_CONTENT_TYPE), filename)
