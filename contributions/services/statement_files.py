"""Filing the statements of an SSO 1-10 file (text or Excel form) in one transaction: every
fault of every statement is reported in one `StatementRefused` (line numbers as in the
file) and nothing is stored unless all are good. The reading is `contributions.sso110`; the
checks are `statements`' set-based ones."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from contributions import sso110
from contributions.models import Statement
from contributions.services.statements import (
    LineError,
    StatementRefused,
    statement_check,
    statement_submit,
)
from contributions.sso110 import layout
from registry import selectors as registry
from sso.core.formats import lazy_format

# Filing ----------------------------------------------------------------------------------


def _unknown_employer(group: layout.Group) -> LineError:
    return LineError(
        group.header_line,
        "employer_account",
        lazy_format(
            _("No employer with account number %(account)s is known at your office."), {"account": group.account}
        ),
        found=group.account or "",
        code="unknown_employer",
    )


def _placed(errors: list[LineError], group: layout.Group) -> list[LineError]:
    """The services number a statement's own faults 0 (and its declared totals 1): here they
    are the group's header line; each error names the sheet of an Excel form."""
    for error in errors:
        if error.line in (0, 1) and error.field not in layout._DETAIL_AT:
            error.line = group.header_line
        if group.sheet:
            error.sheet = group.sheet
    return errors


def _resolve(groups: list[layout.Group], officer):
    """The employers (only those the officer may see) and their branches, in two queries."""
    employers = registry.employers_by_account({group.account for group in groups if group.account}, officer)
    branches = registry.branches_of(employers.values(), {group.branch for group in groups if group.branch})
    return employers, branches


def _unknown_persons(unknown: list[dict], group: layout.Group, employer) -> list[dict]:
    return [
        {**person, "employer_id": employer.pk, "employer_account": employer.account_number, "sheet": group.sheet}
        for person in unknown
    ]


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
    parsed = sso110.statement_file_read(
        file_name=file_name, content=content, employer_account=employer_account, period=period
    )
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
                    found=layout._period_text(group.period),
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
                    checked = statement_check(declared=declared, today=today, **kwargs)
                    group_errors, group_unknown = checked.errors, checked.unknown
                else:
                    statements.append(
                        statement_submit(
                            officer=officer,
                            declared=declared,
                            source=source,
                            file_name=file_name,
                            header_paid_on=group.paid_on,
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
            raise StatementRefused(sorted(errors, key=layout.error_sort_key), unknown)
    return statements
