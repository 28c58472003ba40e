"""Every list page and list API answers with a number of queries that does not grow with its
rows (no N+1) and stays under a ceiling.

Each list of the URL conf is a row of LISTS: the role that opens it, how to add rows that it
shows (with the related records its template or serializer reads: a claim's person, a
statement's employer and branch, a ticket's service...), and a ceiling. The test adds ROWS rows,
opens the list once to warm the per-process caches (permissions, menus, rules), counts the
queries of the next answer, adds twice as many rows again, and counts again: the two counts
must be equal, each under the ceiling, and every row added must be in the answer (a list that
showed none would count nothing; the queue's board, live view and report show counts, not rows).

The ceilings are today's counts (printed by the test: `-rP`) plus two, room for a small change:
a list that needs more fails, so that whoever adds the queries raises its ceiling knowingly. Pages are reached by
URL name, so the views may move between modules freely.

The URL conf is walked to check that no list is left out: a URL named `*_list`/`*-list`, or one
of the other list pages named in OTHER_LISTS, must have its row in LISTS.
"""

import dataclasses
import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.factories import (
    AppealFactory,
    BankAccountFactory,
    BankFactory,
    ClaimFactory,
    HospitalFactory,
    OfficeFactory,
    PaymentBatchFactory,
    PaymentOrderFactory,
    StaffFactory,
    contribution_months_make,
    employee_make,
    employer_make,
    queue_office,
    statement_make,
    statement_paid_make,
    ticket_make,
)

pytestmark = pytest.mark.django_db

ROWS = 2  # rows at the first count; the second count is at three times as many
_numbers = itertools.count(1)


@dataclasses.dataclass
class World:
    """The cast, their office (1001, with a queue) and one employer of it."""

    cast: dict
    office: object
    employer: object
    api: bool = False  # the list asked is an API's (JSON)

    def person(self, **fields):
        """A new employee of the office's employer."""
        return employee_make(self.employer, next(_numbers), self.cast["counter"], **fields).person


@pytest.fixture
def world(cast, offices):
    office = queue_office(offices["1001"], counters=2)
    return World(cast=cast, office=office, employer=employer_make(office, cast["counter"], n=9000))


# --- Rows of each list: each builder adds `count` rows and returns texts the answer must show. --


def _persons(w, count):
    return [w.person() for _ in range(count)]


def _person_reads(w, count):
    """Persons of the office read by another office's supervisor (the read log)."""
    from registry.services import person_read_record

    persons = _persons(w, count)
    for person in persons:
        person_read_record(
            reader=w.cast["other_supervisor"], person_id=person.pk, person_office_id=person.office_id, via="page"
        )
    return persons


def _employers(w, count):
    return [employer_make(w.office, w.cast["counter"], n=next(_numbers) + 9000) for _ in range(count)]


def _hospitals(w, count):
    return [HospitalFactory() for _ in range(count)]


def _banks(w, count):
    # Codes no bank holds yet: the migrations seed real banks' codes, and BankFactory gets an
    # existing code's row rather than adding one.
    from registry.models import Bank

    taken = set(Bank.objects.values_list("code", flat=True))
    free = (code for code in (f"{n:03d}" for n in range(999, 0, -1)) if code not in taken)
    return [BankFactory(code=next(free), name_en="A bank") for _ in range(count)]


def _uploads(w, count):
    from registry.models import BulkUpload

    made = [
        BulkUpload.objects.create(
            office=w.office,
            employer=w.employer,
            uploaded_by=w.cast["counter"],
            file_name=f"staff-{next(_numbers)}.csv",
            content=b"",
        )
        for _ in range(count)
    ]
    return [upload.file_name for upload in made]


_periods = itertools.count(0)


def _statement(w, *, paid):
    """A statement of a month of its own; paid, it has its payment and receipt (`.paid`)."""
    from sso.core.months import month_add

    person = w.person(started_on=datetime.date(2020, 1, 1))
    period = month_add(datetime.date(2025, 10, 1), -next(_periods))
    statement = statement_make(w.employer, w.cast["counter"], [person], period=period)
    statement.paid = None
    if paid:
        statement.paid = statement_paid_make(statement, w.cast["counter"], paid_on=datetime.date(2025, 11, 10))
    return statement


_account_periods = itertools.count(1)


def _account_months(w, count):
    """Months of the office's employer filed and paid today, of the last 24 (the account's
    window), each shown on the employer's account by its receipt's number."""
    from contributions import services
    from sso.core.months import month_add, month_first

    made = []
    for _ in range(count):
        person = w.person(started_on=datetime.date(2020, 1, 1))
        period = month_add(month_first(timezone.localdate()), -next(_account_periods))
        statement = statement_make(w.employer, w.cast["counter"], [person], period=period)
        due = services.statement_amount_due(statement)
        payment = services.statement_pay(
            officer=w.cast["counter"], statement=statement, amount=due.total, method="cash"
        )
        made.append(payment.receipt.display_number)
    return made


def _account_kwargs(w):
    return {"pk": w.employer.pk}


def _statements(w, count):
    return [_statement(w, paid=n % 2 == 0) for n in range(count)]


def _receipts(w, count):
    return [_statement(w, paid=True).paid.receipt for _ in range(count)]


def _statements_with_findings(w, count):
    from contributions.models import Finding, Statement

    made = []
    for _ in range(count):
        statement = _statement(w, paid=True)
        Finding.objects.create(statement=statement, kind=Finding.Kind.WAGE_OUTLIER, person=statement.lines.get().person)
        Statement.objects.filter(pk=statement.pk).update(verification=Statement.Verification.FINDINGS)
        made.append(f"/contributions/verify/{statement.pk}/")
    return made


def _reimbursements(w, count):
    from contributions.models import Reimbursement, ReimbursementBatch

    made = []
    for n in range(count):
        payment = _statement(w, paid=True).paid
        status = [Reimbursement.Status.REQUESTED, Reimbursement.Status.APPROVED][n % 2]
        reimbursement = Reimbursement.objects.create(
            office=w.office,
            kind=Reimbursement.Kind.DUPLICATE_PAYMENT,
            payment=payment,
            period=payment.period_from or datetime.date(2025, 10, 1),
            amount=Decimal("1"),
            status=status,
            employer=w.employer,
        )
        ReimbursementBatch.objects.create(office=w.office, created_by=w.cast["verifier"], total=Decimal("0"))
        made.append(f'data-reimbursement="{reimbursement.pk}"')
    return made


def _firms_in_arrears(w, count):
    made = []
    for _ in range(count):
        employer = employer_make(w.office, w.cast["counter"], n=next(_numbers) + 9000)
        employee_make(employer, next(_numbers), w.cast["counter"], started_on=datetime.date(2024, 1, 1))
        made.append(employer.account_number)
    return made


def _months(w, count):
    from sso.core.months import month_add, month_first

    person = w.months_person
    first = month_add(month_first(datetime.date.today()), -1 - w.months_made)
    contribution_months_make(person, w.cast["counter"], last_period=first, count=count, employer=w.employer)
    w.months_made += count
    return []


def _months_kwargs(w):
    w.months_person = w.person()
    w.months_made = 0
    return {"national_id": w.months_person.national_id}


def _claims(w, count):
    made = []
    for n in range(count):
        person = w.person()
        BankAccountFactory(person=person)
        claim = ClaimFactory(person=person, recorded_by=w.cast["counter"], status=["examined", "referred"][n % 2])
        made.append(claim)
    return made


def _appeals(w, count):
    made = []
    for _ in range(count):
        claim = ClaimFactory(
            person=w.person(), recorded_by=w.cast["counter"], status="rejected", adjudicated_by=w.cast["supervisor"]
        )
        AppealFactory(claim=claim)
        made.append(claim)
    return made


def _claims_with_findings(w, count):
    from benefits.models import ClaimFinding

    made = []
    for _ in range(count):
        claim = ClaimFactory(person=w.person(), recorded_by=w.cast["counter"], verification="findings")
        ClaimFinding.objects.create(claim=claim, kind=ClaimFinding.Kind.BANK_ACCOUNT)
        made.append(claim)
    return made


def _order(w, **fields):
    person = w.person()
    account = BankAccountFactory(person=person)
    claim = ClaimFactory(person=person, recorded_by=w.cast["counter"], status="approved", verification="clear")
    transfer = {"method": "transfer", "bank": account.bank, "account_number": account.account_number}
    return PaymentOrderFactory(claim=claim, **(transfer | fields))


def _payments(w, count):
    """Transfers waiting for a batch, payments at the office, held ones and batches."""
    made = []
    for _ in range(count):
        _order(w)
        _order(w, status="held")
        cash = _order(w, method="cash", bank=None, account_number="")
        PaymentBatchFactory(office=w.office, created_by=w.cast["verifier"], bank=BankFactory())
        made.append(f'data-order="{cash.pk}"')
    return made


def _batch_kwargs(w):
    w.batch = PaymentBatchFactory(office=w.office, created_by=w.cast["verifier"], bank=BankFactory())
    return {"pk": w.batch.pk}


def _batch_orders(w, count):
    return [_order(w, status="in_batch", batch=w.batch).account_number for _ in range(count)]


def _batches(w, count):
    return [
        PaymentBatchFactory(office=w.office, created_by=w.cast["verifier"], bank=BankFactory()) for _ in range(count)
    ]


def _returned(w, count):
    return [_order(w, status="failed", failure_reason=f"Closed {next(_numbers)}").failure_reason for _ in range(count)]


def _recurring(w, count):
    """Months of the monthly run: each a month's orders of monthly claims."""
    made = []
    for _ in range(count):
        month = datetime.date(2020, 1, 1) + datetime.timedelta(days=31 * next(_numbers))
        month = month.replace(day=1)
        person = w.person()
        claim = ClaimFactory(
            person=person, recorded_by=w.cast["counter"], status="approved", monthly=True, benefit="old_age"
        )
        PaymentOrderFactory(claim=claim, period=month)
        made.append(f"{month:%m/%Y}")
    return made


def _what_if_runs(w, count):
    """Head office's what-if runs (the list shows who asked)."""
    from queueing.models import PlannerRun

    day = timezone.localdate() + datetime.timedelta(days=1)
    return [
        PlannerRun.objects.create(
            office=w.office,
            day=day,
            what_if={"offices": [w.office.pk], "shares": [0, 20]},
            requested_by=w.cast["national"],
            requested_at=timezone.now(),
        )
        for _ in range(count)
    ]


def _planner_runs(w, count):
    """Runs of the queue planner asked for by the office's supervisor (the list shows who)."""
    from queueing.models import PlannerRun

    day = timezone.localdate() + datetime.timedelta(days=1)
    return [
        PlannerRun.objects.create(
            office=w.office, day=day, requested_by=w.cast["supervisor"], requested_at=timezone.now()
        )
        for _ in range(count)
    ]


def _tickets(w, count):
    """Tickets of two services, every other one called to a counter of its own by the officer
    signed in there; the aggregate pages (board, live, report) show counts and the calls."""
    from queueing.models import Counter, ServiceKind
    from queueing.services import counter_sign_in, ticket_call_next

    kinds = [ServiceKind.CONTRIBUTION, ServiceKind.REGISTRATION]
    made = []
    for n in range(count):
        made.append(ticket_make(w.office, kind=kinds[n % 2]))
        if n % 2 == 0:
            counter = Counter.objects.create(
                office=w.office, number=Counter.objects.filter(office=w.office).count() + 1
            )
            counter.services.set(w.office.services.all())
            officer = StaffFactory(office=w.office, roles=["counter_officer"])
            counter_sign_in(counter=counter, officer=officer)
            ticket_call_next(counter_id=counter.pk, officer=officer)
    return [f'"{ticket.code}"' for ticket in made] if w.api else []


def _office_queues(w, count):
    """Offices with their queue and a ticket waiting at each: the national overview's rows
    (one query for all offices, not one per office)."""
    made = []
    for _ in range(count):
        office = queue_office(OfficeFactory(), counters=1)
        ticket_make(office)
        made.append(f'data-office="{office.code}"')
    return made


def _counters(w, count):
    from queueing.models import Counter

    made = []
    for _ in range(count):
        number = Counter.objects.filter(office=w.office).count() + 1
        # Every other counter has its officer signed in: the page names them.
        officer = StaffFactory(office=w.office, roles=["counter_officer"]) if number % 2 else None
        counter = Counter.objects.create(office=w.office, number=number, officer=officer)
        counter.services.set(w.office.services.all())
        shown = f"<td>{officer.username}</td>" if officer else f"sign-in-{number}"
        made.append(f'"number":{number}' if w.api else shown)
    return made


def _services(w, count):
    """The office starts with no service (one per kind at most): each row is one more kind."""
    from queueing.models import Service, ServiceKind

    if not hasattr(w, "kinds"):
        w.office.counters.all().delete()
        Service.objects.filter(office=w.office).delete()
        w.kinds = iter(ServiceKind.values)
    made = []
    for kind in itertools.islice(w.kinds, count):
        n = next(_numbers)
        Service.objects.create(
            office=w.office, kind=kind, prefix=chr(ord("K") + n % 10), name_th=f"บริการ {n}", name_en=f"Service {n}"
        )
        made.append(f"Service {n}")
    return made


def _offices(w, count):
    return [OfficeFactory().code for _ in range(count)]


def _changes(w, count):
    return [employer_make(w.office, w.cast["counter"], n=next(_numbers) + 9000).account_number for _ in range(count)]


def _evidence_reports(w, count):
    """Kept evidence reports of the office, versions of one month, each listed by its PDF's link."""
    from sso.core.models import EvidenceReport

    made = []
    for _ in range(count):
        version = EvidenceReport.objects.filter(office=w.office).count() + 1
        report = EvidenceReport.objects.create(
            office=w.office,
            month=datetime.date(2026, 1, 1),
            version=version,
            generated_at=timezone.now(),
            generated_by=w.cast["supervisor"],
            pdf=b"%PDF-",
            sha256="0" * 64,
        )
        made.append(reverse("core:evidence_pdf", args=[report.pk]))
    return made


# --- The lists --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class List:
    url: str  # URL name
    role: str  # who opens it (a name of the cast)
    rows: Callable  # rows(world, count) -> texts the answer must show
    ceiling: int  # queries of one answer, at most
    query: dict = dataclasses.field(default_factory=dict)
    kwargs: Callable | None = None  # kwargs(world) -> the URL's parameters

    def __str__(self):
        return self.url


LISTS = [
    # Registry pages and API.
    List("registry:person_list", "counter", _persons, 11),
    List("registry:employer_list", "counter", _employers, 11),
    List("registry:search", "counter", _persons, 11, query={"q": "ใจดี"}),
    List("registry:upload_list", "counter", _uploads, 10),
    List("registry:person_reads", "supervisor", _person_reads, 11),
    List("registry-person-list", "counter", _persons, 9),
    List("registry-employer-list", "counter", _employers, 10),
    List("registry-employment-list", "counter", _persons, 9),
    List("registry-hospital-list", "counter", _hospitals, 9),
    List("registry-bank-list", "counter", _banks, 9),
    List(
        "api-registry-person-duplicates",
        "counter",
        _persons,
        12,
        query={"first_name_th": "สมชาย", "last_name_th": "ใจดี", "birth_date": "1990-01-01"},
    ),
    # Contributions pages and API.
    List("contributions:statement_list", "counter", _statements, 11),
    List("contributions:receipt_list", "counter", _receipts, 11),
    List("contributions:verify_queue", "verifier", _statements_with_findings, 11),
    List(
        "contributions:reimbursement_list", "verifier", _reimbursements, 15
    ),  # banks: the rows' select and the batch form's
    List("contributions:arrears", "verifier", _firms_in_arrears, 16),  # + the latest arrears notices
    List("contributions:employer_account", "verifier", _account_months, 18, kwargs=_account_kwargs),
    List("contributions-statement-list", "counter", _statements, 9),
    List("contributions-receipt-list", "counter", _receipts, 9),
    List("api-contributions-person-months", "counter", _months, 10, kwargs=_months_kwargs),
    # Benefits pages.
    List("benefits:claim_list", "verifier", _claims, 11),
    List("benefits:appeal_list", "supervisor", _appeals, 11),
    List("benefits:verify_list", "verifier", _claims_with_findings, 12),
    List("benefits:payments", "verifier", _payments, 14),
    List("benefits:batch", "verifier", _batch_orders, 11, kwargs=_batch_kwargs),
    List("benefits:payments_returned", "verifier", _returned, 10),
    List("benefits:payments_recurring", "verifier", _recurring, 10),
    # Benefits API.
    List("benefits-claim-list", "verifier", _claims, 9),
    List("benefits-appeal-list", "supervisor", _appeals, 9),
    List("benefits-payment-order-list", "verifier", _returned, 9),
    List("benefits-payment-batch-list", "verifier", _batches, 9),
    # Queue pages and API.
    List("queueing:kiosk", "counter", _services, 10),
    List("queueing:counter_choose", "counter", _counters, 12),
    List("queueing:board", "counter", _tickets, 11),
    List("queueing:live", "supervisor", _tickets, 15),
    List("queueing:live_national", "national", _office_queues, 11),
    List("queueing:report", "supervisor", _tickets, 30),
    List("queueing:ticket_list", "supervisor", _tickets, 14),
    List("queueing:planner", "supervisor", _planner_runs, 10),
    List("queueing:planner_what_if", "national", _what_if_runs, 10),
    List("queue-service-list", "counter", _services, 9),
    List("queue-counter-list", "counter", _counters, 10),
    List("queue-ticket-list", "counter", _tickets, 9),
    # Offices and history.
    List("core:office_list", "national", _offices, 10),
    List("office-list", "national", _offices, 9),
    # One query per audited kind: 48 with the payment recoveries (issue 20) and the kinds added since.
    List("core:recent_changes", "supervisor", _changes, 53),
    List("core:evidence_list", "supervisor", _evidence_reports, 12),
]

# Lists whose URL name does not say so.
OTHER_LISTS = {
    "registry:search",
    "registry:person_reads",
    "contributions:verify_queue",
    "contributions:arrears",
    "api-contributions-person-months",
    "api-registry-person-duplicates",
    "benefits:payments",
    "benefits:batch",
    "benefits:payments_returned",
    "benefits:payments_recurring",
    "queueing:kiosk",
    "queueing:counter_choose",
    "queueing:board",
    "contributions:employer_account",
    "queueing:live",
    "queueing:live_national",
    "queueing:report",
    "queueing:planner",
    "queueing:planner_what_if",
    "core:recent_changes",
}


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_list_of_the_url_conf_is_guarded():
    names = set(_names(get_resolver().url_patterns))
    lists = {name for name in names if not name.startswith("admin:") and name.endswith(("_list", "-list"))}
    guarded = {case.url for case in LISTS}
    assert lists | OTHER_LISTS <= names
    assert lists | OTHER_LISTS == guarded, "lists without a query-count guard, or guards of no list"


def _missing(response, shown):
    """The rows added that a page does not show (by their own page's address, or a text)."""
    content = response.content.decode()
    texts = [row.get_absolute_url() if hasattr(row, "get_absolute_url") else str(row) for row in shown]
    return [text for text in texts if text not in content]


def _items(response) -> int:
    """The rows of an API list (paginated or not; a person's months)."""
    data = response.json()
    if isinstance(data, dict):
        data = data["results"] if "results" in data else data["months"]
    return len(data)


@pytest.mark.parametrize("case", LISTS, ids=str)
def test_a_list_answers_in_as_many_queries_whatever_its_rows(case, world, client_for, django_assert_max_num_queries):
    client = client_for(world.cast[case.role])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse(case.url, kwargs=case.kwargs(world) if case.kwargs else None)
    world.api = url.startswith("/api/")
    shown = case.rows(world, ROWS)
    assert client.get(url, case.query).status_code == 200  # warms the caches
    with django_assert_max_num_queries(case.ceiling) as few:
        response = client.get(url, case.query)
    assert response.status_code == 200
    items = _items(response) if world.api else 0
    assert world.api or not _missing(response, shown), "rows missing from the answer"
    shown += case.rows(world, 2 * ROWS)
    with django_assert_max_num_queries(case.ceiling) as many:
        response = client.get(url, case.query)
    if world.api:
        assert _items(response) - items == 2 * ROWS, "the rows added are not all in the answer"
    else:
        assert not _missing(response, shown), "rows missing from the answer"
    print(f"QUERIES {case.url}: {len(few)} at {ROWS} rows, {len(many)} at {3 * ROWS}")
    assert len(many) == len(few), "\n".join(
        ["the queries grew with the rows:", *(query["sql"][:300] for query in many.captured_queries)]
    )
