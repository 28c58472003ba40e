"""Statements (SSO 1-10): the whole-statement check and the filing.

A statement is checked whole: every bad line is reported (line, field, expected, found,
reason) and nothing is stored when any check fails. The back office's cross-checks run
afterwards in Celery (`contributions.tasks`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions import rules
from contributions.models import (
    Source,
    Statement,
    StatementLine,
)
from contributions.services.common import ZERO, baht_plain, local_today, one_or_none, period_end
from registry import selectors as registry
from registry.selectors import EmployerStatus
from sso.core.audit import audited_save
from sso.core.formats import date_numeric_lazy, lazy_format, month_numeric_lazy
from sso.core.months import month_first
from sso.core.records import stamp

# Statement input and its check ---------------------------------------------------------


@dataclass
class LineInput:
    """One employee line as entered, keyed or read from a file (`line` numbers it as the source does)."""

    line: int
    national_id: str
    wage: Decimal
    employee_amount: Decimal | None = None  # as declared in a file: checked against the rules
    title: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Declared:
    """The totals a file's header declares; each is checked against the sum of the lines."""

    head_count: int | None = None
    total_wages: Decimal | None = None
    total_contributions: Decimal | None = None
    employee_total: Decimal | None = None
    employer_total: Decimal | None = None
    employee_rate: Decimal | None = None


@dataclass
class LineError:
    line: int
    field: str
    message: object  # lazy: rendered in the reader's language
    expected: object = ""  # str, or lazy (a date in the reader's era)
    found: object = ""
    code: str = "invalid"

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "field": self.field,
            "expected": str(self.expected),
            "found": str(self.found),
            "code": self.code,
            "message": str(self.message),
        }


class StatementRefused(ValidationError):
    """A statement with errors: every bad line is listed; nothing was stored."""

    def __init__(self, errors: list[LineError], unknown: list[dict] | None = None):
        self.line_errors = errors
        self.unknown_persons = unknown or []
        first = errors[0]
        super().__init__(
            lazy_format(
                _(
                    "The statement has %(count)s errors and was not stored."
                    " First: line %(line)s, %(field)s: %(message)s"
                ),
                {"count": len(errors), "line": first.line, "field": first.field, "message": first.message},
            ),
            code=first.code,
        )


@dataclass
class Checked:
    rate: object
    lines: list[tuple[LineInput, int, rules.LineAmounts]] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    unknown: list[dict] = field(default_factory=list)

    @property
    def total_wages(self):
        return sum((line.wage for line, _p, _a in self.lines), ZERO)

    @property
    def employee_total(self):
        return sum((amounts.employee for _l, _p, amounts in self.lines), ZERO)

    @property
    def employer_total(self):
        return sum((amounts.employer for _l, _p, amounts in self.lines), ZERO)

    @property
    def government_total(self):
        return sum((amounts.government for _l, _p, amounts in self.lines), ZERO)


def statement_check(
    *,
    employer,
    branch,
    period: datetime.date,
    lines: list[LineInput],
    declared: Declared | None = None,
    amends: Statement | None = None,
    today: datetime.date | None = None,
) -> Checked:
    """Check a statement whole (nothing is written): the header, then every line against the
    registry and the rules, with a few set-based queries whatever the number of lines."""
    today = today or local_today()
    errors: list[LineError] = []
    period = month_first(period)
    if period > month_first(today):
        errors.append(
            LineError(
                0,
                "period",
                _("The wage period is in the future: a statement is filed for a month that has begun."),
                expected=lazy_format("<= %(month)s", {"month": month_numeric_lazy(today)}),
                found=month_numeric_lazy(period),
                code="future",
            )
        )
    if branch.employer_id != employer.pk:
        errors.append(LineError(0, "branch", _("This branch belongs to another employer."), found=branch.number))
    if employer.status != EmployerStatus.ACTIVE and (employer.ceased_on is None or employer.ceased_on < period):
        errors.append(
            LineError(0, "employer", _("The employer had ceased business before this wage period."), code="ceased")
        )
    if amends is None:
        existing = one_or_none(
            Statement.objects.filter(branch=branch, period=period, amends__isnull=True)
            .exclude(status=Statement.Status.VOID)
            .only("received_at")
        )
        if existing is not None:
            errors.append(
                LineError(
                    0,
                    "period",
                    lazy_format(
                        _(
                            "A statement for this branch and wage period was already filed on %(day)s;"
                            " file an amending statement to correct it."
                        ),
                        {"day": date_numeric_lazy(timezone.localdate(existing.received_at))},
                    ),
                    code="duplicate",
                )
            )
    elif amends.branch_id != branch.pk or amends.period != period:
        errors.append(LineError(0, "amends", _("An amending statement must be for the same branch and wage period.")))
    try:
        rate = rules.rate_for(period, branch.province_id)
    except ValidationError as exc:
        errors.append(LineError(0, "period", exc.messages[0], code="no_rule"))
        raise StatementRefused(errors) from None
    checked = Checked(rate=rate)
    if not lines:
        errors.append(LineError(0, "lines", _("The statement has no employees."), code="empty"))

    # Every person named, and whether this employer employed them in the period: one query
    # whatever the number of lines (a merged record's ID files for the record kept).
    found = registry.persons_employed(
        {line.national_id for line in lines},
        employer_id=employer.pk,
        period_first=period,
        period_last=period_end(period),
    )
    persons = {national_id: person_id for national_id, person_id, _employed in found}
    employed = {person_id for _national_id, person_id, is_employed in found if is_employed}
    seen: dict[str, int] = {}
    for line in lines:
        person_id = persons.get(line.national_id)
        amounts = None
        if line.national_id in seen:
            errors.append(
                LineError(
                    line.line,
                    "national_id",
                    lazy_format(_("This person is already on line %(other)s."), {"other": seen[line.national_id]}),
                    found=line.national_id,
                    code="duplicate_line",
                )
            )
        seen.setdefault(line.national_id, line.line)
        if person_id is None:
            errors.append(
                LineError(
                    line.line,
                    "national_id",
                    _("No insured person has this ID: register the employee (SSO 1-03) first."),
                    found=line.national_id,
                    code="unknown_person",
                )
            )
            checked.unknown.append(
                {
                    "line": line.line,
                    "national_id": line.national_id,
                    "title": line.title,
                    "first_name": line.first_name,
                    "last_name": line.last_name,
                    "wage": str(line.wage),
                }
            )
        elif person_id not in employed:
            errors.append(
                LineError(
                    line.line,
                    "national_id",
                    _("This person is not registered as employed by this employer in the wage period."),
                    found=line.national_id,
                    code="not_employed",
                )
            )
        if line.wage < 0:
            errors.append(LineError(line.line, "wage", _("The wage cannot be negative."), found=str(line.wage)))
        else:
            amounts = rules.line_compute(line.wage, rate)
            if line.employee_amount is not None and line.employee_amount != amounts.employee:
                errors.append(
                    LineError(
                        line.line,
                        "contribution",
                        _("The contribution differs from what the rate gives for this wage."),
                        expected=baht_plain(amounts.employee),
                        found=baht_plain(line.employee_amount),
                        code="amount",
                    )
                )
        if person_id is not None and amounts is not None:
            checked.lines.append((line, person_id, amounts))

    if declared is not None and not errors:
        _declared_check(declared, checked, lines, rate, errors)
    checked.errors = errors
    return checked


def _declared_check(declared: Declared, checked: Checked, lines, rate, errors):
    def compare(name, expected, found, text):
        if found is not None and found != expected:
            errors.append(LineError(1, name, text, expected=str(expected), found=str(found), code="total"))

    compare("head_count", len(lines), declared.head_count, _("The head count differs from the number of lines."))
    compare(
        "total_wages", checked.total_wages, declared.total_wages, _("The total wages differ from the sum of the lines.")
    )
    compare(
        "employee_total",
        checked.employee_total,
        declared.employee_total,
        _("The employee share differs from the sum of the lines."),
    )
    compare(
        "employer_total",
        checked.employer_total,
        declared.employer_total,
        _("The employer share differs from the sum of the lines."),
    )
    compare(
        "total_contributions",
        checked.employee_total + checked.employer_total,
        declared.total_contributions,
        _("The total contributions differ from the two shares."),
    )
    compare("rate", rate.employee_rate, declared.employee_rate, _("The rate differs from the rate in force."))


def _lines_copy(statement: Statement, checked: Checked):
    """Store the lines with COPY: ten thousand lines in a few tens of milliseconds."""
    table = StatementLine._meta.db_table
    columns = "statement_id, line_number, person_id, wage, contribution_wage, employee_amount, employer_amount"
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for number, (line, person_id, amounts) in enumerate(checked.lines, start=1):
            row = (statement.pk, number, person_id, line.wage, amounts.contribution_wage)
            copy.write_row((*row, amounts.employee, amounts.employer))


@transaction.atomic
def statement_submit(
    *,
    officer,
    employer,
    branch,
    period: datetime.date,
    lines: list[LineInput],
    source: str = Source.COUNTER,
    declared: Declared | None = None,
    file_name: str = "",
    header_paid_on: datetime.date | None = None,
    amends: Statement | None = None,
    office=None,
    today: datetime.date | None = None,
    verify: bool = True,
) -> Statement:
    """Accept a statement (form SSO 1-10) after checking it whole; the back office
    cross-checks it afterwards. Raises `StatementRefused` listing every error.

    `verify=False` when the caller pays it in the same transaction: the payment sends it
    to the back office, once. `header_paid_on`: the payment date an SSO 1-10 file's header
    gives, kept as filed."""
    period = month_first(period)
    checked = statement_check(
        employer=employer, branch=branch, period=period, lines=lines, declared=declared, amends=amends, today=today
    )
    if checked.errors:
        raise StatementRefused(checked.errors, checked.unknown)
    rate = checked.rate
    statement = stamp(
        Statement(
            office=office or employer.responsible_office,
            employer=employer,
            branch=branch,
            period=period,
            amends=amends,
            source=source,
            file_name=file_name[:255],
            header_paid_on=header_paid_on,
            employee_rate=rate.employee_rate,
            employer_rate=rate.employer_rate,
            government_rate=rate.government_rate,
            wage_floor=rate.wage_floor,
            wage_ceiling=rate.wage_ceiling,
            head_count=len(checked.lines),
            total_wages=checked.total_wages,
            employee_total=checked.employee_total,
            employer_total=checked.employer_total,
            government_total=checked.government_total,
            received_at=timezone.now(),
            received_by=officer,
        ),
        officer,
    )
    try:
        with transaction.atomic():
            audited_save(statement, officer)
    except IntegrityError:
        # Another counter filed the same branch and period a moment ago.
        raise StatementRefused(
            [LineError(0, "period", _("A statement for this branch and wage period was just filed."), code="duplicate")]
        ) from None
    _lines_copy(statement, checked)
    if verify:
        transaction.on_commit(lambda: _verification_enqueue(statement.pk))
    return statement


def _verification_enqueue(statement_id: int):
    from contributions.tasks import statement_verify

    statement_verify.delay(statement_id)
