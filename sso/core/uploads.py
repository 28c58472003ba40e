"""Uploaded files read within bounds: nothing is read whole, and nothing is trusted.

Every reader of an uploaded file (bulk registration CSV/XLSX, the SSO 1-10 text file and
its Excel form, the bank's confirmation file) goes through these functions, so that a
small file cannot make a big process. The limits are settings (README, 'Configuration'):

- the upload's size (`UPLOAD_MAX_BYTES`), checked before it is read;
- an XLSX is a zip: its directory is inspected before openpyxl opens it (number of
  entries, total uncompressed size, compression ratio of each big entry), then every XML
  part is scanned as a stream, chunk by chunk, counting the rows and cells of each sheet
  and the markup of each row (a sheet's `<dimension>` is not believed, and empty cells
  count): a sheet of 3,000,000 `<c/>` is refused within its first rows, a sheet of
  10,000,000 blank rows within its first `UPLOAD_MAX_ROWS`;
- openpyxl then reads in read-only (streaming) mode, with the sheet's dimensions reset
  so that no row is cut or padded by what the file claims, and `rows_bounded` counts
  rows, columns and cells again as they come;
- text (CSV, SSO 1-10) is counted in lines and fields per line before it is parsed.

A file over a limit is refused with `UploadRefused` (a `ValidationError` with a code and
a message in the reader's language, rendered lazily), before anything is stored.

Over 500 lines: every bound on every uploaded file is here, so that a reader cannot skip one;
the XLSX stream scan is most of it.
"""

import csv
import io
import operator
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sso.core.formats import lazy_format

MB = 1024 * 1024
DEFAULTS = {
    "UPLOAD_MAX_BYTES": 20 * MB,
    "UPLOAD_MAX_UNCOMPRESSED_BYTES": 100 * MB,
    "UPLOAD_MAX_COMPRESSION_RATIO": 100,
    "UPLOAD_MAX_ZIP_ENTRIES": 500,
    "UPLOAD_MAX_ROWS": 200_000,
    "UPLOAD_MAX_COLUMNS": 200,
    "UPLOAD_MAX_CELLS": 2_000_000,
    "UPLOAD_ERRORS_SHOWN": 1000,
}
# Entries smaller than this are not held to the compression ratio: a tiny part may
# compress well and harms no one.
RATIO_FROM_BYTES = 1 * MB
# A cell's markup is at most a handful of elements (<c><is><r><t>...); a row's markup
# beyond this many elements per allowed column is not a spreadsheet row.
ELEMENTS_PER_CELL = 16
CHUNK = 256 * 1024


def setting(name: str) -> int:
    return getattr(settings, name, DEFAULTS[name])


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_uncompressed_bytes: int
    max_ratio: int
    max_entries: int
    max_rows: int
    max_columns: int
    max_cells: int

    @classmethod
    def current(cls) -> "Limits":
        return cls(
            max_bytes=setting("UPLOAD_MAX_BYTES"),
            max_uncompressed_bytes=setting("UPLOAD_MAX_UNCOMPRESSED_BYTES"),
            max_ratio=setting("UPLOAD_MAX_COMPRESSION_RATIO"),
            max_entries=setting("UPLOAD_MAX_ZIP_ENTRIES"),
            max_rows=setting("UPLOAD_MAX_ROWS"),
            max_columns=setting("UPLOAD_MAX_COLUMNS"),
            max_cells=setting("UPLOAD_MAX_CELLS"),
        )


def errors_shown() -> int:
    """How many errors of a refused file a page or an API answer lists (the error file has them all)."""
    return setting("UPLOAD_ERRORS_SHOWN")


# The codes of a file refused for its size rather than its content.
LIMIT_CODES = frozenset(
    {"too_large", "uncompressed_too_large", "too_many_entries", "too_many_rows", "too_many_columns", "too_many_cells"}
)


class UploadRefused(ValidationError):
    """An uploaded file refused as a whole, before or while it was read; nothing was stored.
    `message` is lazy: it is rendered in the language active where it is shown."""

    def __init__(self, message, code: str):
        super().__init__(message, code=code)
        self.reason = message


def _megabytes(size: int) -> str:
    return f"{size / MB:g}"


def _number(count: int) -> str:
    return f"{count:,}"


# Size ------------------------------------------------------------------------------------


def size_check(size: int, limits: Limits | None = None) -> None:
    limits = limits or Limits.current()
    if size > limits.max_bytes:
        raise UploadRefused(
            lazy_format(
                _("The file is larger than %(max)s MB; split it."),
                {"max": _megabytes(limits.max_bytes)},
            ),
            "too_large",
        )


def upload_read(uploaded_file, limits: Limits | None = None) -> bytes:
    """The content of an uploaded file, refused before it is read when it is too big (and
    never more than the limit read, whatever size the upload claims)."""
    limits = limits or Limits.current()
    size_check(uploaded_file.size or 0, limits)
    content = uploaded_file.read(limits.max_bytes + 1)
    size_check(len(content), limits)
    return content


# Text ------------------------------------------------------------------------------------

THAI_ENCODING = "cp874"  # Windows-874, a superset of TIS-620


def text_decode(content: bytes) -> tuple[str, str]:
    """(text, encoding) of an uploaded text file: UTF-8 (with or without its BOM) when it is
    valid UTF-8, otherwise Thai Windows-874 (TIS-620). A NUL byte or bytes neither can read
    refuse the file: it is not text (a spreadsheet saved as binary, a picture)."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    for encoding in ("utf-8", THAI_ENCODING):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, ("ascii" if text.isascii() else encoding)
    raise UploadRefused(
        _(
            "Wrong encoding: the file is neither Thai TIS-620 (Windows-874) nor UTF-8 text."
            " Save it again as TIS-620 or UTF-8."
        ),
        "encoding",
    )


# XLSX -------------------------------------------------------------------------------------


def is_zip(content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04"


def is_xlsx(file_name: str, content: bytes) -> bool:
    """Whether an upload is to be read as a workbook: by its content, or by its name."""
    return is_zip(content) or file_name.lower().endswith((".xlsx", ".xlsm"))


def _unreadable() -> UploadRefused:
    return UploadRefused(_("The file cannot be opened as an Excel (.xlsx) workbook."), "unreadable")


def _too_big_unpacked(limits: Limits) -> UploadRefused:
    return UploadRefused(
        lazy_format(
            _(
                "The workbook unpacks to more than %(max)s MB, or packs its content suspiciously tightly;"
                " it is not read. Save it again from Excel, or split it."
            ),
            {"max": _megabytes(limits.max_uncompressed_bytes)},
        ),
        "uncompressed_too_large",
    )


def too_many_rows(limits: Limits) -> UploadRefused:
    return UploadRefused(
        lazy_format(
            _("The file has more than %(max)s lines (blank lines count); split it."), {"max": _number(limits.max_rows)}
        ),
        "too_many_rows",
    )


def too_many_columns(limits: Limits, line: int | None = None) -> UploadRefused:
    if line is None:
        message = lazy_format(_("A line of the file has more than %(max)s columns."), {"max": limits.max_columns})
    else:
        message = lazy_format(
            _("Line %(line)s of the file has more than %(max)s columns."), {"line": line, "max": limits.max_columns}
        )
    return UploadRefused(message, "too_many_columns")


def too_many_cells(limits: Limits) -> UploadRefused:
    return UploadRefused(
        lazy_format(
            _("The file has more than %(max)s cells (empty cells count); split it."), {"max": _number(limits.max_cells)}
        ),
        "too_many_cells",
    )


# A start tag of a row or a cell, the end of a sheet's rows. Excel writes them without a
# namespace prefix, and the plain patterns are quick; a chunk holding a prefixed one (any
# prefix is valid XML) is read with the general patterns.
_PREFIX = rb"(?:[A-Za-z_][\w.\-]{0,30}:)?"
_BOUNDARY_ANY = re.compile(rb"<" + _PREFIX + rb"row[\s/>]|</" + _PREFIX + rb"sheetData\s*>")
_CELL_ANY = re.compile(rb"<" + _PREFIX + rb"c[\s/>]")
_BOUNDARY_PLAIN = re.compile(rb"<row[\s/>]|</sheetData\s*>")
_CELL_PLAIN = re.compile(rb"<c[\s/>]")
_PREFIXED = re.compile(rb":(?:c|row|sheetData)[\s/>]")
_SPACED = re.compile(rb"<(?:c|row)[\t\n\r]")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']\s*(\d{1,12})""")
_ROW_NUMBER_PLAIN = re.compile(rb'<row r="(\d{1,12})"')


def _plain(buffer: bytes) -> bool:
    """Whether a chunk's rows and cells are written as Excel writes them (no prefix, a space)."""
    if _PREFIXED.search(buffer):
        return False
    return not ((b"\t" in buffer or b"\n" in buffer or b"\r" in buffer) and _SPACED.search(buffer))


def _cells_plain(buffer, start, end) -> int:
    return buffer.count(b"<c ", start, end) + buffer.count(b"<c/", start, end) + buffer.count(b"<c>", start, end)


def _cells_any(buffer, start, end) -> int:
    return len(_CELL_ANY.findall(buffer, start, end))


_ROW_TAG_PLAIN = re.compile(rb"<row|</sheetData")


def _boundaries_plain(buffer, end) -> list[int]:
    return [match.start() for match in _ROW_TAG_PLAIN.finditer(buffer, 0, end)]


def _boundaries_any(buffer, end) -> list[int]:
    return [match.start() for match in _BOUNDARY_ANY.finditer(buffer, 0, end)]


_OVERLAP = 512  # longer than any boundary tag and a row's start tag with its attributes
# A part openpyxl reads whole (the workbook, its styles, relations) is at most this big;
# worksheets and the shared strings are read as streams.
WHOLE_PART_MAX_BYTES = 2 * MB
# Markup outside the rows of a sheet (views, columns, merged cells, links): at most this
# much, plus a few elements per row.
OUTSIDE_ROWS_ELEMENTS = 10_000


@dataclass
class PartCount:
    """What the scan of one XML part found."""

    name: str
    rows: int = 0  # rows a reader will see: the highest row number, or the rows counted
    cells: int = 0


@dataclass
class WorkbookCount:
    parts: list[PartCount] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(part.rows for part in self.parts)

    @property
    def cells(self) -> int:
        return sum(part.cells for part in self.parts)


class _Budget:
    """Bytes unpacked so far, over the whole workbook."""

    def __init__(self, limits: Limits):
        self.limits, self.left = limits, limits.max_uncompressed_bytes

    def take(self, count: int):
        self.left -= count
        if self.left < 0:
            raise _too_big_unpacked(self.limits)


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget):
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            budget.take(len(chunk))
            yield chunk


def _part_scan(archive, info, budget: _Budget, limits: Limits, found: WorkbookCount) -> PartCount:
    """Rows and cells of an XML part, counted on its stream (never whole in memory).

    A segment runs from a row's start tag (or the part's start, or the end of a sheet's
    rows) to the next. A row's cells and markup are counted exactly only when its bytes
    could hold more than the limits allow (a cell is at least 4 bytes, `<c/>`), so that an
    ordinary sheet costs a few C-level scans a chunk, not Python work per cell."""
    name = info.filename.lower()
    strings = name.endswith("sharedstrings.xml")
    if not (strings or name.startswith("xl/worksheets/")) and info.file_size > WHOLE_PART_MAX_BYTES:
        raise _too_big_unpacked(limits)
    count = PartCount(info.filename)
    per_row = limits.max_columns * ELEMENTS_PER_CELL + 64
    exact_from = min(limits.max_columns * 4, per_row)  # a shorter row cannot break a limit
    # The shared strings are a stream of small elements, a few per text cell.
    outside_max = limits.max_cells * ELEMENTS_PER_CELL if strings else OUTSIDE_ROWS_ELEMENTS + 4 * limits.max_rows
    cells_before = found.cells
    rows_before = found.rows
    in_row = False
    length = row_cells = row_markup = 0  # of the current segment so far
    outside = 0
    highest = 0  # the highest row number written in an r attribute

    def piece(buffer, start, end, cells_in):
        nonlocal length, row_cells, row_markup, outside
        length += end - start
        if in_row:
            if length > exact_from:
                row_cells += cells_in(buffer, start, end)
                row_markup += buffer.count(b"<", start, end)
                if row_cells > limits.max_columns or row_markup > per_row:
                    raise too_many_columns(limits, max(count.rows, highest))
        else:
            row_cells += cells_in(buffer, start, end)
            if row_cells > limits.max_columns:
                raise too_many_columns(limits)  # cells outside any row: not a sheet
            outside += buffer.count(b"<", start, end)
            if outside > outside_max:
                raise too_many_cells(limits)

    carry = b""
    chunks = _chunks(archive, info, budget)
    done = False
    while not done:
        chunk = next(chunks, None)
        done = chunk is None
        buffer = carry + (chunk or b"")
        if b"<!DOCTYPE" in buffer or b"<!ENTITY" in buffer:
            raise _unreadable()  # no spreadsheet declares entities: a billion laughs does
        # Tags starting before `cut` are read now; the rest with the next chunk.
        cut = len(buffer) if done else max(len(buffer) - _OVERLAP, 0)
        plain = _plain(buffer)
        cells_in = _cells_plain if plain else _cells_any
        count.cells += cells_in(buffer, 0, cut)
        if cells_before + count.cells > limits.max_cells:
            raise too_many_cells(limits)
        # A chunk of more row tags than rows left is refused before its rows are looked at.
        tags = buffer.count(b"<row", 0, cut) if plain else len(_BOUNDARY_ANY.findall(buffer, 0, cut))
        if rows_before + count.rows + tags - buffer.count(b"<rowBreaks", 0, cut) > limits.max_rows:
            raise too_many_rows(limits)
        boundaries = (_boundaries_plain if plain else _boundaries_any)(buffer, cut)
        numbered = _ROW_NUMBER_PLAIN.findall(buffer, 0, cut) if plain else []
        if numbered:
            highest = max(highest, max(map(int, numbered)))
        # Rows with attributes not numbered as Excel numbers them: each row's start tag is read.
        each = not plain or len(numbered) < buffer.count(b"<row ", 0, cut)
        position = 0
        if plain and not each and len(boundaries) > 1 and b"</sheetData" not in buffer:
            # The usual chunk: rows too short to break a limit are counted, not looked at.
            longest = max(map(operator.sub, boundaries[1:], boundaries[:-1]))
            if longest <= exact_from:
                piece(buffer, 0, boundaries[0], cells_in)
                count.rows += len(boundaries)
                in_row, length, row_cells, row_markup = True, 0, 0, 0
                position = boundaries[-1] + 1
                boundaries = []
        for start in boundaries:
            if not in_row or length + start - position > exact_from:
                piece(buffer, position, start, cells_in)
            length = row_cells = row_markup = 0
            position = start + 1  # the boundary's own '<' is not counted twice
            in_row = buffer[start + 1] != 47  # "/": the end of the sheet's rows
            if in_row:
                count.rows += 1
                if each:
                    tag_end = buffer.find(b">", start, start + _OVERLAP)
                    number = _ROW_NUMBER.search(buffer, start, tag_end if tag_end > 0 else start + _OVERLAP)
                    if number is not None:
                        highest = max(highest, int(number[1]))
        piece(buffer, position, cut, cells_in)
        if rows_before + max(count.rows, highest) > limits.max_rows:
            raise too_many_rows(limits)
        carry = buffer[cut:]
    # openpyxl fills the rows a sheet skips with empty ones: they count.
    count.rows = max(count.rows, highest)
    return count


def xlsx_check(content: bytes, limits: Limits | None = None) -> WorkbookCount:
    """Refuse a workbook that would cost more to read than the limits allow, before
    openpyxl sees it; return the rows and cells its sheets hold (as openpyxl will read them)."""
    limits = limits or Limits.current()
    size_check(len(content), limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _unreadable() from None
    found = WorkbookCount()
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise UploadRefused(
                lazy_format(
                    _("The workbook holds more than %(max)s parts; it is not read."),
                    {"max": _number(limits.max_entries)},
                ),
                "too_many_entries",
            )
        # The directory's sizes bound what zipfile will unpack (it stops at the declared
        # size), so their sum is checked first; the stream is counted again as it is read.
        if sum(info.file_size for info in entries) > limits.max_uncompressed_bytes:
            raise _too_big_unpacked(limits)
        for info in entries:
            if info.file_size > RATIO_FROM_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise _too_big_unpacked(limits)
        budget = _Budget(limits)
        try:
            for info in entries:
                if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue  # pictures and the like are never unpacked by the readers
                found.parts.append(_part_scan(archive, info, budget, limits, found))
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError, RuntimeError):
            # A damaged entry, an unknown compression or a password: openpyxl could not read it either.
            raise _unreadable() from None
    return found


def xlsx_open(content: bytes, limits: Limits | None = None):
    """The workbook in openpyxl's read-only (streaming) mode, after `xlsx_check`; every
    sheet's dimensions reset, so that rows are read as they are, not as the file claims.
    Close it after use."""
    import openpyxl

    xlsx_check(content, limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise _unreadable() from None
    for sheet in workbook.worksheets:
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
    return workbook


class Counter:
    """Rows and cells read so far, over every sheet of one file."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits.current()
        self.rows = 0
        self.cells = 0

    def row(self, width: int, line: int | None = None):
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise too_many_rows(self.limits)
        if width > self.limits.max_columns:
            raise too_many_columns(self.limits, line)
        self.cells += width
        if self.cells > self.limits.max_cells:
            raise too_many_cells(self.limits)


def rows_bounded(rows, counter: Counter | None = None):
    """`rows` (an iterable of sequences, e.g. a read-only sheet's `iter_rows(values_only=True)`)
    as they come, refused when they pass the limits; empty rows and cells count."""
    counter = counter or Counter()
    for number, row in enumerate(rows, start=1):
        counter.row(len(row), number)
        yield row


def xlsx_sheet_rows(sheet, counter: Counter | None = None):
    """The values of a read-only sheet's rows, counted (see `rows_bounded`)."""
    try:
        yield from rows_bounded(sheet.iter_rows(values_only=True), counter)
    except UploadRefused:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet, found only while it is read
        raise _unreadable() from None


# Text ---------------------------------------------------------------------------------------


def text_lines_check(text: str, limits: Limits | None = None) -> None:
    """Refuse text of more lines than the limit (counted without splitting it)."""
    limits = limits or Limits.current()
    if text.count("\n") > limits.max_rows:
        raise too_many_rows(limits)


def csv_rows(text: str, *, delimiter: str = ",", limits: Limits | None = None):
    """(line where the record starts, fields) for each record of CSV text, within the
    limits; a quoted value may span lines. Raises `UploadRefused` (code `csv`) for text
    that is not CSV."""
    limits = limits or Limits.current()
    text_lines_check(text, limits)
    # A line is split into its fields in one go: count them first on each line, so that a
    # line of a million commas is refused before it becomes a million strings.
    most = limits.max_columns
    for number, line in enumerate(text.split("\n"), start=1):
        if line.count(delimiter) >= most:
            raise too_many_columns(limits, number)
    counter = Counter(limits)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            counter.row(len(row), start)
            yield start, row
            start = reader.line_num + 1
    except csv.Error:
        raise UploadRefused(
            lazy_format(_("Line %(line)s cannot be read as CSV."), {"line": start}),
            "csv",
        ) from None
