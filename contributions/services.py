"""Writes of contribution collection: statements (SSO 1-10), payments, receipts, voids and
voluntary contributions.

A statement is checked whole: every bad line is reported (line, field, expected, found,
reason) and nothing is stored when any check fails. Accepting, paying and printing the
receipt is one step at one counter; the back office's cross-checks run afterwards in Celery
(`contributions.tasks`). Every function runs in one transaction and takes the officer.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contributions import rules
from contributions.models import (
    ContributionMonth,
    Payment,
    Receipt,
    ReceiptSeries,
    Reimbursement,
    Source,
    Statement,
    StatementLine,
)
from registry.models import Branch, Employer, Employment, InsuredPerson, Section, SectionSpell
from sso.core.audit import audited_save
from sso.core.formats import BE_OFFSET, lazy_format, money_display

ZERO = Decimal("0.00")


def _stamp(record, officer):
    record._history_user = officer
    return record


def _refuse(field_name, message, code="invalid"):
    raise ValidationError({field_name: ValidationError(message, code=code)})


def _today():
    return timezone.localdate()


def one_or_none(queryset):
    """The first row in no particular order (a unique lookup): `first()` would sort by the
    model's ordering, which costs a sort in SQL and a compile in Python on the peak path."""
    return next(iter(queryset.order_by()[:1]), None)


def _baht(amount) -> str:
    return money_display(amount, "en").removeprefix("THB ")


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
    expected: str = ""
    found: str = ""
    code: str = "invalid"

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "field": self.field,
            "expected": self.expected,
            "found": self.found,
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


def _period_end(period):
    return rules.period_add(period, 1) - datetime.timedelta(days=1)


def statement_check(
    *,
    employer: Employer,
    branch: Branch,
    period: datetime.date,
    lines: list[LineInput],
    declared: Declared | None = None,
    amends: Statement | None = None,
    today: datetime.date | None = None,
) -> Checked:
    """Check a statement whole (nothing is written): the header, then every line against the
    registry and the rules, with a few set-based queries whatever the number of lines."""
    today = today or _today()
    errors: list[LineError] = []
    period = rules.period_of(period)
    if period > rules.period_of(today):
        errors.append(
            LineError(
                0,
                "period",
                _("The wage period is in the future: a statement is filed for a month that has begun."),
                expected=f"<= {today:%m/%Y}",
                found=f"{period:%m/%Y}",
                code="future",
            )
        )
    if branch.employer_id != employer.pk:
        errors.append(LineError(0, "branch", _("This branch belongs to another employer."), found=branch.number))
    if employer.status != Employer.Status.ACTIVE and (employer.ceased_on is None or employer.ceased_on < period):
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
                        {"day": f"{timezone.localtime(existing.received_at):%d/%m/%Y}"},
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
    # (the IDs as one array parameter) whatever the number of lines. An ID of a record merged
    # into another files for the record kept, which holds the merged record's history.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT p.national_id, k.id, EXISTS (
                    SELECT 1 FROM {Employment._meta.db_table} e
                    WHERE e.person_id = k.id AND e.employer_id = %s AND e.started_on <= %s
                      AND (e.ended_on IS NULL OR e.ended_on >= %s))
                FROM {InsuredPerson._meta.db_table} p
                CROSS JOIN LATERAL (SELECT COALESCE(p.merged_into_id, p.id) AS id) k
                WHERE p.national_id = ANY(%s::text[])""",
            [employer.pk, _period_end(period), period, list({line.national_id for line in lines})],
        )
        found = cursor.fetchall()
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
                        expected=_baht(amounts.employee),
                        found=_baht(line.employee_amount),
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
    employer: Employer,
    branch: Branch,
    period: datetime.date,
    lines: list[LineInput],
    source: str = Source.COUNTER,
    declared: Declared | None = None,
    file_name: str = "",
    amends: Statement | None = None,
    office=None,
    today: datetime.date | None = None,
    verify: bool = True,
) -> Statement:
    """Accept a statement (form SSO 1-10) after checking it whole; the back office
    cross-checks it afterwards. Raises `StatementRefused` listing every error.

    `verify=False` when the caller pays it in the same transaction: the payment sends it
    to the back office, once."""
    period = rules.period_of(period)
    checked = statement_check(
        employer=employer, branch=branch, period=period, lines=lines, declared=declared, amends=amends, today=today
    )
    if checked.errors:
        raise StatementRefused(checked.errors, checked.unknown)
    rate = checked.rate
    statement = _stamp(
        Statement(
            office=office or employer.responsible_office,
            employer=employer,
            branch=branch,
            period=period,
            amends=amends,
            source=source,
            file_name=file_name[:255],
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


# Receipts -------------------------------------------------------------------------------


_NEXT_RECEIPT_SQL = f"""
INSERT INTO {ReceiptSeries._meta.db_table} (office_id, year, last_number) VALUES (%s, %s, 1)
ON CONFLICT (office_id, year) DO UPDATE SET last_number = {ReceiptSeries._meta.db_table}.last_number + 1
RETURNING last_number
"""


def _receipt_issue(payment: Payment, officer) -> Receipt:
    """The payment's receipt, with the next number of the office's series for the year (B.E.).

    The series row stays locked until the payment's transaction ends, so the numbers have
    no gaps (a rolled-back payment gives its number back). It is taken last, just before
    the commit, so that an office's payments wait for each other as briefly as they can."""
    year = timezone.localdate(payment.posted_at).year + BE_OFFSET
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_RECEIPT_SQL, [payment.office_id, year])
        (number,) = cursor.fetchone()
    receipt = Receipt(office_id=payment.office_id, year=year, number=number, payment=payment, issued_by=officer)
    audited_save(receipt, officer)
    return receipt


@transaction.atomic
def receipt_void(*, receipt: Receipt, officer, reason: str) -> Receipt:
    """Void a receipt: the number stays in the series, marked void with who and why; the
    payment is reversed and its months no longer count."""
    receipt = Receipt.objects.select_for_update().select_related("payment").get(pk=receipt.pk)
    if receipt.voided_at is not None:
        _refuse("reason", _("This receipt is already void."), "already_void")
    if not reason.strip():
        _refuse("reason", _("Give the reason for the void."), "required")
    receipt.voided_at = timezone.now()
    receipt.voided_by = officer
    receipt.void_reason = reason.strip()
    _stamp(receipt, officer).save(update_fields=["voided_at", "voided_by", "void_reason"])
    payment = receipt.payment
    payment.status = Payment.Status.VOID
    _stamp(payment, officer).save(update_fields=["status"])
    ContributionMonth.objects.filter(payment=payment).delete()
    if payment.statement_id and not payment.statement.payments.filter(status=Payment.Status.POSTED).exists():
        statement = payment.statement
        statement.status = Statement.Status.ACCEPTED
        _stamp(statement, officer).save(update_fields=["status"])
    return receipt


# Payments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmountDue:
    contributions: Decimal
    surcharge: rules.Surcharge

    @property
    def total(self) -> Decimal:
        return self.contributions + self.surcharge.amount


def statement_amount_due(statement: Statement, paid_on: datetime.date | None = None) -> AmountDue:
    """What the employer pays for a statement on a day: both shares and the late surcharge."""
    paid_on = paid_on or _today()
    return AmountDue(statement.total, rules.surcharge_compute(statement.period, statement.total, paid_on))


def _idempotent(key: str | None) -> Payment | None:
    return one_or_none(Payment.objects.filter(idempotency_key=key)) if key else None


def _amount_check(amount: Decimal, due: Decimal):
    if amount != due:
        _refuse(
            "amount",
            lazy_format(
                _("The amount must be %(due)s THB (contributions and any surcharge); %(amount)s THB was given."),
                {"due": _baht(due), "amount": _baht(amount)},
            ),
            "wrong_amount",
        )


def _method_check(method, reference):
    if method not in Payment.Method.values:
        _refuse("method", _("Choose how the payment was made."), "required")
    if method in (Payment.Method.CHEQUE, Payment.Method.TRANSFER) and not reference.strip():
        _refuse("reference", _("Give the cheque number or the transfer reference."), "required")


def statement_pay(
    *,
    officer,
    statement: Statement,
    amount: Decimal,
    method: str,
    reference: str = "",
    channel: str = Payment.Channel.COUNTER,
    paid_on: datetime.date | None = None,
    idempotency_key: str | None = None,
) -> Payment:
    """Post the payment of a statement, issue its receipt and record each person's month.

    At the counter a statement already paid is refused. From a bank, a post office or the
    internet the money has already moved: a second payment is posted, and a reimbursement
    request is made for the back office. The same notification twice (same idempotency key)
    posts once and answers the first payment."""
    if (found := _idempotent(idempotency_key)) is not None:
        return found
    try:
        with transaction.atomic():
            payment = _statement_pay(
                officer=officer,
                statement=statement,
                amount=amount,
                method=method,
                reference=reference,
                channel=channel,
                paid_on=paid_on or _today(),
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # The same notification, posted a moment ago by another worker.
        if (found := _idempotent(idempotency_key)) is not None:
            return found
        raise
    statement.status = payment.statement.status  # the caller's copy, as now stored
    return payment


def _statement_pay(*, officer, statement, amount, method, reference, channel, paid_on, idempotency_key) -> Payment:
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    _method_check(method, reference)
    if statement.status == Statement.Status.VOID:
        _refuse("statement", _("This statement is void."), "void")
    if paid_on > _today():
        _refuse("paid_on", _("The payment date cannot be in the future."), "future")
    already = statement.status == Statement.Status.PAID
    if already and channel == Payment.Channel.COUNTER:
        _refuse("statement", _("This statement is already paid."), "already_paid")
    due = statement_amount_due(statement, paid_on)
    _amount_check(amount, due.total)
    payment = _stamp(
        Payment(
            office_id=statement.office_id,
            kind=Payment.Kind.STATEMENT,
            statement=statement,
            period_from=statement.period,
            period_to=statement.period,
            method=method,
            channel=channel,
            reference=reference.strip(),
            contribution_amount=due.contributions,
            surcharge_amount=due.surcharge.amount,
            surcharge_months=due.surcharge.months,
            government_amount=statement.government_total,
            amount=amount,
            paid_on=paid_on,
            posted_by=officer,
            idempotency_key=idempotency_key or None,
        ),
        officer,
    )
    audited_save(payment, officer)
    if already:
        _stamp(
            Reimbursement(
                office_id=statement.office_id,
                kind=Reimbursement.Kind.DUPLICATE_PAYMENT,
                employer_id=statement.employer_id,
                payment=payment,
                period=statement.period,
                amount=amount,
            ),
            officer,
        ).save()
        _receipt_issue(payment, officer)
        return payment
    statement.status = Statement.Status.PAID
    audited_save(statement, officer, update_fields=["status"])
    # Each person's month, written in one statement from the lines.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ContributionMonth._meta.db_table}"
            " (person_id, period, section, employer_id, wage, amount, payment_id)"
            " SELECT person_id, %s, %s, %s, contribution_wage, employee_amount, %s"
            f" FROM {StatementLine._meta.db_table} WHERE statement_id = %s",
            [statement.period, Section.S33, statement.employer_id, payment.pk, statement.pk],
        )
    _receipt_issue(payment, officer)
    transaction.on_commit(lambda: _overpayment_enqueue(statement.pk))
    return payment


def _overpayment_enqueue(statement_id: int):
    from contributions.tasks import statement_verify

    statement_verify.delay(statement_id)


# Voluntary contributions (Sections 39 and 40) ----------------------------------------------


def _voluntary_periods(person, section, period_from, period_to, today):
    period_from, period_to = rules.period_of(period_from), rules.period_of(period_to)
    if period_to < period_from:
        _refuse("period_to", _("The last month is before the first."), "order")
    if period_to > rules.period_of(today):
        _refuse("period_to", _("Voluntary contributions are paid for months that have begun."), "future")
    if rules.months_between(period_from, period_to) > 12:
        _refuse("period_to", _("Pay at most 12 months at once."), "too_many")
    spell = (
        SectionSpell.objects.filter(person=person, section=section, valid_from__lte=_period_end(period_from))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period_to))
        .order_by("-valid_from")
        .first()
    )
    if spell is None:
        _refuse(
            "person",
            lazy_format(
                _("This person is not insured under Section %(section)s for every month paid for."),
                {"section": section},
            ),
            "not_insured",
        )
    paid = ContributionMonth.objects.filter(
        person=person,
        section=section,
        period__range=(period_from, period_to),
        payment__status=Payment.Status.POSTED,
    ).values_list("period", flat=True)
    if paid:
        _refuse(
            "period_from",
            lazy_format(
                _("Already paid for %(months)s."), {"months": ", ".join(f"{month:%m/%Y}" for month in sorted(paid))}
            ),
            "already_paid",
        )
    months = [rules.period_add(period_from, n) for n in range(rules.months_between(period_from, period_to))]
    return spell, months


def voluntary_amount_due(*, person, section, period_from, period_to, option=None) -> tuple[Decimal, Decimal]:
    """(what the person pays, what the government adds) for the months given."""
    months = [
        rules.period_add(rules.period_of(period_from), n)
        for n in range(rules.months_between(rules.period_of(period_from), rules.period_of(period_to)))
    ]
    if section == Section.S39:
        total = sum((rules.section39_amount(month) for month in months), ZERO)
        government = sum((rules.section39_rate_for(month).section39_government for month in months), ZERO)
        return total, government
    rows = [rules.section40_option_for(month, option) for month in months]
    return sum((row.person_amount for row in rows), ZERO), sum((row.government_amount for row in rows), ZERO)


@transaction.atomic
def voluntary_pay(
    *,
    officer,
    person: InsuredPerson,
    section: str,
    period_from: datetime.date,
    period_to: datetime.date,
    amount: Decimal,
    method: str,
    reference: str = "",
    channel: str = Payment.Channel.COUNTER,
    paid_on: datetime.date | None = None,
    idempotency_key: str | None = None,
) -> Payment:
    """A Section 39 (432 THB a month) or Section 40 (by option) payment, with its receipt."""
    if (found := _idempotent(idempotency_key)) is not None:
        return found
    today = _today()
    paid_on = paid_on or today
    if section not in (Section.S39, Section.S40):
        _refuse("section", _("Voluntary contributions are for Section 39 or Section 40."), "section")
    _method_check(method, reference)
    person = InsuredPerson.objects.select_for_update().get(pk=person.pk)
    spell, months = _voluntary_periods(person, section, period_from, period_to, today)
    option = spell.s40_option if section == Section.S40 else None
    try:
        due, government = voluntary_amount_due(
            person=person, section=section, period_from=months[0], period_to=months[-1], option=option
        )
    except ValidationError as exc:
        raise ValidationError({"period_from": exc}) from None
    _amount_check(amount, due)
    payment = _stamp(
        Payment(
            office_id=person.office_id or officer.office_id,
            kind=Payment.Kind.SECTION39 if section == Section.S39 else Payment.Kind.SECTION40,
            person=person,
            period_from=months[0],
            period_to=months[-1],
            section40_option=option,
            method=method,
            channel=channel,
            reference=reference.strip(),
            contribution_amount=due,
            government_amount=government,
            amount=amount,
            paid_on=paid_on,
            posted_by=officer,
            idempotency_key=idempotency_key or None,
        ),
        officer,
    )
    payment.save()
    ContributionMonth.objects.bulk_create(
        ContributionMonth(
            person=person,
            period=month,
            section=section,
            wage=rules.section39_rate_for(month).section39_base if section == Section.S39 else ZERO,
            amount=voluntary_amount_due(
                person=person, section=section, period_from=month, period_to=month, option=option
            )[0],
            payment=payment,
        )
        for month in months
    )
    _receipt_issue(payment, officer)
    return payment
