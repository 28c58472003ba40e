"""Reading an upload file: CSV (UTF-8 or Thai TIS-620, comma, semicolon or tab) or XLSX,
line by line, within the upload limits of `sso.core.uploads`."""

from registry.bulk.layout import MAX_LINES, FileUnreadable
from sso.core.uploads import (
    LIMIT_CODES,
    Counter,
    UploadRefused,
    csv_rows,
    is_xlsx,
    size_check,
    text_decode,
    xlsx_check,
    xlsx_open,
    xlsx_sheet_rows,
)

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
