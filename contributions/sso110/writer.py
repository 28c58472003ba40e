"""The SSO 1-10 text file written: from a stored statement (the statement page's download) or
from lines given (tests, the benchmark), in the layout the readers read."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from contributions import rules
from contributions.models import Payment, Statement
from contributions.sso110.layout import ENCODING, HEAD_OFFICE
from sso.core.formats import BE_OFFSET
from sso.core.months import month_first

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
    rate = rules.rate_for(month_first(period), province_id)
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
        period=month_first(period),
        lines=lines,
        company_name=company_name,
        employee_rate=rate.employee_rate,
        employer_total=employer_total,
    )


def statement_file_group(statement: Statement) -> FileGroup:
    """A stored statement as it would be written in an SSO 1-10 file. The header's payment
    date is the one its file gave, else the day of the payment that paid it (000000 when
    neither: not paid)."""
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
        paid_on=statement.header_paid_on or _paid_on(statement),
        employee_rate=statement.employee_rate,
        employer_total=statement.employer_total,
    )


def _paid_on(statement: Statement) -> datetime.date | None:
    """The day of the statement's payment that holds its months (the first one posted)."""
    if statement.status != Statement.Status.PAID:
        return None
    return (
        statement.payments.filter(status=Payment.Status.POSTED, months__isnull=False)
        .order_by("paid_on", "posted_at")
        .values_list("paid_on", flat=True)
        .first()
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
