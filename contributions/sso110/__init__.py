"""Contribution statements from files: the SSO 1-10 fixed-width text file (`text`) and its
Excel form (`excel`), their shared layout (`layout`), and the text file written back
(`writer`). `statement_file_read` sends a file to its reader; filing what was read is
`contributions.services.statement_file_submit`."""

import re

from django.utils.translation import gettext_lazy as _

from contributions.services.statements import LineError, StatementRefused
from contributions.sso110.excel import excel_parse
from contributions.sso110.layout import (
    FIELD_LABELS,
    WIDTH,
    Parsed,
    _digits,
    _Fatal,
    _period_text,
    _refused_file,
    errors_as_dicts,
    period_parse,
    upload_content,
)
from contributions.sso110.text import sso110_parse
from contributions.sso110.writer import FileGroup, FileLine, sso110_group, sso110_render, statement_file_group
from sso.core.uploads import UploadRefused, is_xlsx, size_check

__all__ = [
    "FIELD_LABELS",
    "WIDTH",
    "FileGroup",
    "FileLine",
    "Parsed",
    "errors_as_dicts",
    "excel_parse",
    "period_parse",
    "sso110_group",
    "sso110_parse",
    "sso110_render",
    "statement_file_group",
    "statement_file_read",
    "upload_content",
]


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
        if is_xlsx(file_name, content):
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
