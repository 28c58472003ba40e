"""The records tests build, two ways (and why each):

- Records a service makes are made through that service, as a function `<noun>_make`:
  employer_make (SSO 1-01, with its head-office branch), branch_make, employee_make (SSO 1-03:
  the person, the employment, the Section 33 spell), statement_make / statement_paid_make
  (SSO 1-10 checked whole, its lines; the payment, its receipt and the months it pays),
  queue_office (the standard services and counters), ticket_make (a kiosk ticket and its
  visit). The service computes the numbers, branches, spells and audit rows a factory would
  have to copy, and a test can never hold a record the application could not have made;
  one call says it all, so factory_boy's declarations would add nothing.
- Rows a test sets up in a given state, where no single service goes (a claim already
  approved, a payment order in a batch, an appeal lodged, a bank account), are factory_boy
  factories: defaults a test overrides by keyword (`ClaimFactory(person=p, status="approved")`).
  They name models as "app.Model", so they do not import the apps' modules.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from sso.core.models import Office, Province, User
from sso.core.services import provinces_load


def province_get(code):
    # Transactional tests flush the tables, provinces included; load them again when gone.
    if not Province.objects.filter(code=code).exists():
        provinces_load()
    return Province.objects.get(code=code)


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ["code"]
        exclude = ["province_code"]

    province_code = "10"
    code = factory.Sequence(lambda n: f"{7000 + n}")
    kind = Office.Kind.AREA
    name_th = factory.LazyAttribute(lambda o: f"สำนักงาน {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Office {o.code}")
    province = factory.LazyAttribute(lambda o: province_get(o.province_code))


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.LazyAttribute(lambda u: u.username.title())
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


def queue_office(office, counters=3):
    """An office with the standard services and `counters` counters."""
    from queueing.services import office_queue_setup

    office_queue_setup(office=office, counters=counters)
    return office


def pin_make(n: int, first_digit: int = 1) -> str:
    """A valid Thai national ID, different for each n."""
    from registry.validators import pin_check_digit

    body = f"{first_digit}{n:011d}"
    return body + pin_check_digit(body)


def tax_id_make(n: int) -> str:
    """A valid company tax ID (starts with 0), different for each n."""
    from registry.validators import pin_check_digit

    body = f"0105{n:08d}"
    return body + pin_check_digit(body)


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registry.Hospital"
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"H{n:05d}")
    name_th = factory.LazyAttribute(lambda o: f"โรงพยาบาล {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Hospital {o.code}")
    province = factory.LazyFunction(lambda: province_get("10"))


def employer_make(office, officer=None, n=None, registered_on=None, **fields):
    """An employer registered through the SSO 1-01 service (head-office branch included)."""
    from registry.services import employer_register

    n = n if n is not None else Office.objects.count() * 1000 + factory.random.randgen.randint(1, 10**7)
    return employer_register(
        officer=officer,
        name_th=fields.pop("name_th", f"บริษัท ทดสอบ {n} จำกัด"),
        name_en=fields.pop("name_en", f"Test Company {n} Ltd"),
        tax_id=fields.pop("tax_id", tax_id_make(n)),
        province=fields.pop("province", office.province),
        registered_on=registered_on or datetime.date(2015, 1, 1),
        responsible_office=office,
        **fields,
    )


def name_tag(n: int, letters: str = "กขคฆงจฉชซฌ") -> str:
    """`n` spelled with one letter a digit (0 = ก, 1 = ข...; Latin: name_tag(n, "abcdefghij")):
    names are letters only, so persons made in a loop are told apart this way."""
    return "".join(letters[int(digit)] for digit in str(n))


def employee_make(employer, n, officer=None, started_on=None, **fields):
    """An insured person hired by `employer` through the SSO 1-03 service (returns the employment)."""
    from registry.services import employee_register

    started_on = started_on or datetime.date(2020, 1, 1)
    defaults = {
        "title": "003",
        "first_name_th": f"สมชาย{name_tag(n)}",
        "last_name_th": "ใจดี",
        "first_name_en": f"Somchai{name_tag(n, 'abcdefghij')}",
        "last_name_en": "Jaidee",
        "birth_date": datetime.date(1990, 1, 1),
        "sex": "M",
        "filed_on": started_on,
        "national_id": pin_make(n),
    }
    defaults.update(fields)
    return employee_register(officer=officer, employer=employer, started_on=started_on, **defaults)


def contribution_months_make(person, officer, *, last_period, count, wage="15000", employer=None, section="33"):
    """`count` paid contribution months of `person` up to `last_period` (the first of a
    month), under one payment: the history the benefit rules count."""
    from contributions.models import ContributionMonth, Payment
    from sso.core.months import month_add

    periods = [month_add(last_period, -n) for n in range(count - 1, -1, -1)]
    payment = Payment.objects.create(
        office=person.office,
        kind=Payment.Kind.SECTION39,
        person=person,
        period_from=periods[0],
        period_to=periods[-1],
        method=Payment.Method.CASH,
        contribution_amount=0,
        amount=0,
        paid_on=periods[-1],
        posted_by=officer,
    )
    ContributionMonth.objects.bulk_create(
        ContributionMonth(
            person=person,
            period=period,
            section=section,
            employer=employer,
            wage=Decimal(wage),
            amount=0,
            payment=payment,
        )
        for period in periods
    )
    return periods


def branch_make(employer, officer=None, number="000001", **fields):
    """A branch of `employer` added through its service, in the employer's province."""
    from registry.services import branch_add

    return branch_add(
        officer=officer,
        employer=employer,
        number=number,
        name=fields.pop("name", f"Branch {number}"),
        province=fields.pop("province", employer.province),
        **fields,
    )


def statement_make(employer, officer, people, wages=None, *, period=datetime.date(2025, 10, 1), branch=None, **fields):
    """A contribution statement (SSO 1-10) of `people` at `wages` (10,000 each by default)
    submitted through its service, not yet paid (`verify=False` unless given: the back office
    is not asked)."""
    from contributions.services import LineInput, statement_submit

    wages = wages or ["10000"] * len(people)
    return statement_submit(
        officer=officer,
        employer=employer,
        branch=branch or employer.branches.get(number="000000"),
        period=period,
        lines=[
            LineInput(line=n, national_id=person.national_id, wage=Decimal(wage))
            for n, (person, wage) in enumerate(zip(people, wages, strict=True), start=2)
        ],
        **({"verify": False} | fields),
    )


def date_supervisor(office):
    """A supervisor of `office`, to confirm a counter payment dated back."""
    return StaffFactory(username=f"date-supervisor-{office.code}", office=office, roles=["supervisor"])


def counter_dated_back(statement, paid_on) -> dict:
    """A counter payment of `statement` dated back, as history: the statement filed by that
    day (no later than it was paid) and the date's reason and supervisor, as the counter needs."""
    from contributions.models import Statement

    filed = timezone.make_aware(datetime.datetime.combine(paid_on, datetime.time(9)))
    Statement.objects.filter(pk=statement.pk, received_at__gt=filed).update(received_at=filed)
    statement.refresh_from_db(fields=["received_at"])
    return {"date_reason": "History of the test", "date_confirmed_by": date_supervisor(statement.office)}


def counter_paid_back(statement, paid_on, pay):
    """`pay(**dated)` a counter payment of `statement` dated back (see `counter_dated_back`),
    then give the statement its time received back: the tests that count statements received
    today build their history so."""
    from contributions.models import Statement

    received = statement.received_at
    payment = pay(**counter_dated_back(statement, paid_on))
    Statement.objects.filter(pk=statement.pk).update(received_at=received)
    statement.received_at = received
    return payment


def statement_paid_make(statement, officer, *, paid_on=datetime.date(2025, 11, 10), method="cash", **fields):
    """The payment of the whole amount due of `statement` at the counter, through its service:
    the statement paid, its receipt issued, each person's month recorded. Returns the payment.
    A counter payment dated back comes with its reason and a supervisor's confirmation."""
    from contributions.services import statement_amount_due, statement_pay

    due = statement_amount_due(statement, paid_on)

    def pay(**dated):
        return statement_pay(
            officer=officer, statement=statement, amount=due.total, method=method, paid_on=paid_on, **dated, **fields
        )

    if fields.get("channel", "counter") == "counter" and paid_on != timezone.localdate():
        return counter_paid_back(statement, paid_on, pay)
    return pay()


def ticket_make(office, kind="contribution", customer_kind="insured", customer_ref="", **fields):
    """A ticket taken at the kiosk of `office` (set up with queue_office) for the service of `kind`."""
    from queueing.services import ticket_issue

    return ticket_issue(
        service=office.services.get(kind=kind), customer_kind=customer_kind, customer_ref=customer_ref, **fields
    )


# --- Rows in a given state (factory_boy) ------------------------------------------------------


class BankFactory(factory.django.DjangoModelFactory):
    """Bangkok Bank (002) unless told otherwise. The migrations seed the banks; transactional
    tests (live server, real worker) empty the tables, so the bank is made again when gone."""

    class Meta:
        model = "registry.Bank"
        django_get_or_create = ["code"]

    code = "002"
    name_th = "ธนาคารกรุงเทพ"
    name_en = "Bangkok Bank"


class BankAccountFactory(factory.django.DjangoModelFactory):
    """A person's open bank account, benefits paid into it from 1 January 2024 (`person` is required)."""

    class Meta:
        model = "registry.BankAccount"

    bank = factory.SubFactory(BankFactory)
    account_number = factory.Sequence(lambda n: f"{1234567890 + n}")
    account_name = "Somchai"
    valid_from = datetime.date(2024, 1, 1)


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim of `person` (required) in the state the test names: examined and eligible for a
    sickness benefit of 1,500 baht by default, recorded by an officer of the person's office."""

    class Meta:
        model = "benefits.Claim"

    office = factory.LazyAttribute(lambda claim: claim.person.office)
    benefit = "sickness"
    event_date = datetime.date(2026, 3, 2)
    event_key = factory.LazyAttribute(lambda claim: f"{claim.event_date}:{claim.benefit}")
    recorded_by = factory.SubFactory(StaffFactory, office=factory.SelfAttribute("..office"))
    status = "examined"
    eligible = True
    amount = Decimal("1500.00")


class PaymentOrderFactory(factory.django.DjangoModelFactory):
    """One payment of `claim` (required) for the month of its event, pending, in cash."""

    class Meta:
        model = "benefits.PaymentOrder"

    period = factory.LazyAttribute(lambda order: order.claim.event_date.replace(day=1))
    amount = factory.LazyAttribute(lambda order: order.claim.amount or Decimal("800"))
    method = "cash"


class PaymentBatchFactory(factory.django.DjangoModelFactory):
    """An open batch of transfers of `office` and `created_by` (required) to Bangkok Bank."""

    class Meta:
        model = "benefits.PaymentBatch"

    bank = factory.SubFactory(BankFactory)
    pay_on = datetime.date(2026, 2, 25)


class AppealFactory(factory.django.DjangoModelFactory):
    """An appeal lodged against `claim`'s (required) decision, by the officer who recorded it."""

    class Meta:
        model = "benefits.Appeal"

    decision = factory.LazyAttribute(lambda appeal: appeal.claim.status)
    received_decision_on = factory.LazyAttribute(lambda appeal: appeal.claim.event_date)
    grounds = "The doctor's certificate was brought later."
    lodged_by = factory.LazyAttribute(lambda appeal: appeal.claim.recorded_by)
