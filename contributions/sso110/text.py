"""The SSO 1-10 fixed-width text file: 135 characters a line (counted after decoding),
amounts in satang, zero-filled, no decimal point; Thai TIS-620 / Windows-874 as the SSO
writes it, UTF-8 accepted; CRLF, LF accepted. A header line (record type 1) opens each
branch's statement and the detail lines (record type 2) that follow it are its employees,
so one file may hold the statements of several branches. One pass over the lines."""

import datetime
import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from contributions.models import Source
from contributions.services.statements import (
    Declared,
    LineError,
    LineInput,
)
from contributions.sso110.layout import (
    _DETAIL_AT,
    _HEADER_AT,
    WIDTH,
    Group,
    Parsed,
    _be_year,
    _digits,
    _file_error,
    _satang,
)
from sso.core.formats import lazy_format
from sso.core.uploads import (
    UploadRefused,
    text_decode,
    text_lines_check,
)

# Reading the text file ------------------------------------------------------------------------


def _decode(content: bytes) -> tuple[str, str]:
    """(text, encoding) by `sso.core.uploads.text_decode`; a file it refuses is this reader's
    fatal fault, reported like the others."""
    try:
        return text_decode(content)
    except UploadRefused as refused:
        raise _file_error(refused.reason, refused.code) from None


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
