"""Paying claims: orders on approval, the monthly recurring run (re-run makes nothing twice),
bank batches and their file, the bank's confirmation (idempotent, all or nothing), returned
transfers, payment at the office, and the pages' access rules."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from benefits import payments, services
from benefits.models import Benefit, Claim, PaymentBatch, PaymentOrder
from registry.models import Bank, BankAccount
from tests.factories import BankAccountFactory, ClaimFactory, employee_make, employer_make

D = Decimal
TODAY = datetime.date(2026, 3, 20)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def bank(db):
    return Bank.objects.get(code="002")


@pytest.fixture
def employer(cast, offices):
    return employer_make(offices["1001"], cast["counter"], n=811)


def _person(employer, cast, n, bank=None):
    person = employee_make(employer, n, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    if bank is not None:
        BankAccountFactory(person=person, bank=bank, account_number=f"12345678{n:02d}", account_name=f"Person {n}")
    return person


def _claim(person, cast, *, event=datetime.date(2026, 3, 2), amount="1500.00", **fields):
    return ClaimFactory(person=person, recorded_by=cast["counter"], event_date=event, amount=D(amount), **fields)


def _approve(claim, cast):
    return services.claim_adjudicate(claim=claim, officer=cast["counter"], approve=True)


def test_a_one_off_approval_makes_one_order_to_the_bank_account_held_until_verified(employer, cast, bank):
    person = _person(employer, cast, 1, bank)
    _approve(_claim(person, cast), cast)
    order = PaymentOrder.objects.get()
    assert (order.period, order.amount, order.method, order.status) == (
        datetime.date(2026, 3, 1),
        D("1500.00"),
        PaymentOrder.Method.TRANSFER,
        PaymentOrder.Status.HELD,
    )
    assert (order.bank, order.account_number, order.account_name) == (bank, "1234567801", "Person 1")
    assert order.history.first().history_user == cast["counter"]


def test_a_verified_claim_without_an_account_is_paid_in_cash_and_pending(employer, cast):
    person = _person(employer, cast, 2)
    _approve(_claim(person, cast, verification=Claim.Verification.CLEAR), cast)
    order = PaymentOrder.objects.get()
    assert (order.method, order.status, order.bank) == (PaymentOrder.Method.CASH, PaymentOrder.Status.PENDING, None)


def test_a_monthly_approval_pays_the_months_from_the_event_to_now(employer, cast, bank):
    person = _person(employer, cast, 3, bank)
    claim = _claim(
        person,
        cast,
        benefit=Benefit.CHILD_ALLOWANCE,
        event=datetime.date(2026, 1, 15),
        amount="800.00",
        monthly=True,
        months=60,
        verification=Claim.Verification.CLEAR,
    )
    payments.payment_orders_first(claim=claim, officer=cast["counter"], today=TODAY)
    assert sorted(PaymentOrder.objects.values_list("period", flat=True)) == [
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 3, 1),
    ]
    # Approval again (e.g. a re-decided claim) makes nothing twice.
    payments.payment_orders_first(claim=claim, officer=cast["counter"], today=TODAY)
    assert PaymentOrder.objects.count() == 3


def test_the_monthly_run_makes_each_month_once_and_stops_after_the_months(employer, cast, bank):
    with_account = _person(employer, cast, 4, bank)
    without = _person(employer, cast, 5)
    short = _claim(
        with_account,
        cast,
        benefit=Benefit.UNEMPLOYMENT,
        event=datetime.date(2026, 1, 10),
        amount="7500.00",
        monthly=True,
        months=2,
        status=Claim.Status.APPROVED,
        verification=Claim.Verification.CLEAR,
    )
    pension = _claim(
        without,
        cast,
        benefit=Benefit.OLD_AGE,
        event=datetime.date(2026, 2, 1),
        amount="3000.00",
        monthly=True,
        status=Claim.Status.APPROVED,
        verification=Claim.Verification.FINDINGS,
    )
    _claim(without, cast, event=datetime.date(2026, 1, 3), status=Claim.Status.APPROVED)  # one-off: not in the run
    assert payments.monthly_run(month=datetime.date(2026, 1, 1), officer=cast["verifier"]) == 1
    assert payments.monthly_run(month=datetime.date(2026, 2, 1), officer=cast["verifier"]) == 2
    assert payments.monthly_run(month=datetime.date(2026, 2, 1), officer=cast["verifier"]) == 0
    # Unemployment paid 2 months: March is past its schedule; the pension goes on.
    assert payments.monthly_run(month=datetime.date(2026, 3, 1)) == 1
    assert PaymentOrder.objects.filter(claim=short).count() == 2
    march = PaymentOrder.objects.get(claim=pension, period=datetime.date(2026, 3, 1))
    assert (march.method, march.status, march.amount) == (PaymentOrder.Method.CASH, "held", D("3000.00"))
    transfer = PaymentOrder.objects.get(claim=short, period=datetime.date(2026, 2, 1))
    assert (transfer.method, transfer.status, transfer.bank_id) == ("transfer", "pending", bank.pk)
    assert transfer.history.get().history_user == cast["verifier"]
    # A cancelled month is not made again by a re-run.
    payments.order_cancel(order=march, officer=cast["verifier"], reason="Paid by hand")
    assert payments.monthly_run(month=datetime.date(2026, 3, 1)) == 0


def test_two_offices_runs_at_the_same_moment_each_audit_only_their_own_orders(employer, cast, offices, monkeypatch):
    other = employer_make(offices["5000"], cast["counter"], n=812)
    claims = {}
    for office, n, emp in (("1001", 6, employer), ("5000", 7, other)):
        claims[office] = _claim(
            _person(emp, cast, n),
            cast,
            benefit=Benefit.OLD_AGE,
            event=datetime.date(2026, 1, 1),
            amount="3000.00",
            monthly=True,
            status=Claim.Status.APPROVED,
            verification=Claim.Verification.CLEAR,
            office=offices[office],
        )
    moment = datetime.datetime(2026, 2, 1, 8, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(payments.timezone, "now", lambda: moment)
    for office in ("1001", "5000"):
        assert payments.monthly_run(month=datetime.date(2026, 2, 1), office=offices[office]) == 1
    for claim in claims.values():
        order = PaymentOrder.objects.get(claim=claim)
        assert order.history.count() == 1  # its own run's row, not a second from the other office's


def _pending_transfers(employer, cast, bank, count):
    orders = []
    for n in range(count):
        person = _person(employer, cast, 10 + n, bank)
        _approve(_claim(person, cast, amount=f"{1000 + n}.50", verification=Claim.Verification.CLEAR), cast)
        orders.append(PaymentOrder.objects.get(claim__person=person))
    return orders


def test_a_batch_takes_the_pending_transfers_of_the_bank_and_writes_the_file(employer, cast, bank):
    orders = _pending_transfers(employer, cast, bank, 2)
    held = _person(employer, cast, 30, bank)
    _approve(_claim(held, cast), cast)  # held: not batched
    batch = payments.batch_make(
        office=cast["verifier"].office, bank=bank, pay_on=datetime.date(2026, 3, 25), officer=cast["verifier"]
    )
    assert (batch.order_count, batch.total) == (2, D("2002.00"))
    assert set(batch.orders.values_list("status", flat=True)) == {"in_batch"}
    lines = payments.batch_file(batch).decode().split("\r\n")
    assert lines[0] == f"H,002,20260325,{batch.pk},2,200200"
    a = orders[0]
    assert lines[1] == f"D,{a.pk},1234567810,Person 10,100050,SSO{a.pk}-202603"
    assert lines[3] == ""
    with pytest.raises(ValidationError, match="No transfer"):
        payments.batch_make(office=cast["verifier"].office, bank=bank, pay_on=TODAY, officer=cast["verifier"])
    assert PaymentBatch.objects.count() == 1


def _sent_batch(employer, cast, bank, count=3):
    orders = _pending_transfers(employer, cast, bank, count)
    batch = payments.batch_make(office=cast["verifier"].office, bank=bank, pay_on=TODAY, officer=cast["verifier"])
    payments.batch_mark_sent(batch=batch, officer=cast["verifier"])
    return batch, orders


def test_the_confirmation_is_idempotent(employer, cast, bank):
    batch, (a, b, c) = _sent_batch(employer, cast, bank)
    content = f"order_id,status,reference,reason\n{a.pk},PAID,REF-A,\n{b.pk},FAILED,,Account closed\n".encode()
    result = payments.confirmation_import(batch=batch, content=content, officer=cast["verifier"])
    assert (result.paid, result.failed, result.errors) == (1, 1, [])
    again = payments.confirmation_import(batch=batch, content=content, officer=cast["verifier"])
    assert (again.paid, again.failed, again.unchanged, again.errors) == (0, 0, 2, [])
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.bank_reference, a.paid_at is not None) == ("paid", "REF-A", True)
    assert (b.status, b.failure_reason) == ("failed", "Account closed")
    assert a.history.count() == 3  # made, batched, paid: the re-import wrote nothing
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.SENT  # c is still with the bank
    payments.confirmation_import(batch=batch, content=f"{c.pk},PAID,REF-C,\n".encode(), officer=cast["verifier"])
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.CONFIRMED


def test_a_confirmation_with_errors_stores_nothing_and_names_each_line(employer, cast, bank):
    batch, (a, b, c) = _sent_batch(employer, cast, bank)
    payments.confirmation_import(batch=batch, content=f"{a.pk},PAID,REF-A,\n".encode(), officer=cast["verifier"])
    outsider = _person(employer, cast, 40)
    _approve(_claim(outsider, cast), cast)
    other = PaymentOrder.objects.get(claim__person=outsider)
    content = (
        f"{b.pk},PAID,REF-B,\n"  # fine on its own
        f"{a.pk},PAID,REF-OTHER,\n"  # already paid with another reference
        "999999,PAID,REF-X,\n"  # unknown
        f"{other.pk},PAID,REF-Y,\n"  # not in this batch
        f"{c.pk},MAYBE,,\n"  # bad status
    ).encode()
    result = payments.confirmation_import(batch=batch, content=content, officer=cast["verifier"])
    assert [number for number, _message in result.errors] == [2, 3, 4, 5]
    assert "already paid, with bank reference REF-A" in result.errors[0][1]
    assert "unknown" in result.errors[1][1]
    assert "not in this batch" in result.errors[2][1]
    b.refresh_from_db()
    assert (b.status, b.bank_reference) == ("in_batch", None)


def test_returned_transfers_are_requeued_to_the_fixed_account_or_cancelled(employer, cast, bank):
    batch, (a, b, _c) = _sent_batch(employer, cast, bank)
    content = f"{a.pk},FAILED,,Account closed\n{b.pk},FAILED,,No such account\n".encode()
    payments.confirmation_import(batch=batch, content=content, officer=cast["verifier"])
    account = BankAccount.objects.get(person=a.claim.person)
    account.valid_to = TODAY
    account.save()
    with pytest.raises(ValidationError, match="no open bank account"):
        payments.order_requeue(order=a, officer=cast["verifier"])
    BankAccountFactory(
        person=a.claim.person, bank=bank, account_number="9999999999", account_name="New", valid_from=TODAY
    )
    a = payments.order_requeue(order=a, officer=cast["verifier"])
    assert (a.status, a.batch, a.account_number) == ("pending", None, "9999999999")
    with pytest.raises(ValidationError, match="reason"):
        payments.order_cancel(order=b, officer=cast["verifier"], reason=" ")
    assert payments.order_cancel(order=b, officer=cast["verifier"], reason="Paid by cheque").status == "cancelled"


def test_paying_at_the_office(employer, cast):
    person = _person(employer, cast, 50)
    _approve(_claim(person, cast, verification=Claim.Verification.CLEAR), cast)
    order = PaymentOrder.objects.get()
    with pytest.raises(ValidationError, match="cheque number"):
        payments.order_pay_at_office(order=order, officer=cast["verifier"], method="cheque")
    order = payments.order_pay_at_office(order=order, officer=cast["verifier"], method="cash", reference="R-1")
    assert (order.status, order.bank_reference) == ("paid", "R-1")
    # A one-off claim whose order is paid reaches the last step.
    claim = order.claim
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    assert claim.steps.last().to_status == Claim.Status.PAID and claim.steps.last().by == cast["verifier"]
    with pytest.raises(ValidationError, match="waiting"):
        payments.order_pay_at_office(order=order, officer=cast["verifier"], method="cash")


def test_the_pages_and_their_access_rules(employer, cast, bank, client_for):
    batch, (a, _b, _c) = _sent_batch(employer, cast, bank, count=3)
    page = client_for(cast["verifier"])
    for name, args in (
        ("benefits:payments", []),
        ("benefits:batch", [batch.pk]),
        ("benefits:payments_returned", []),
        ("benefits:payments_recurring", []),
    ):
        assert page.get(reverse(name, args=args)).status_code == 200, name
    response = page.get(reverse("benefits:batch_file", args=[batch.pk]))
    assert response.content.startswith(b"H,002,")
    response = page.post(
        reverse("benefits:batch", args=[batch.pk]),
        {"action": "confirm", "file": _upload(f"{a.pk},PAID,REF-A,\n999999,PAID,R,\n")},
    )
    assert b"999999" in response.content  # "order 999999 is unknown", in the page's language
    a.refresh_from_db()
    assert a.status == "in_batch"
    # The supervisor sees, may not write; the counter does not see; another office gets 404.
    supervisor = client_for(cast["supervisor"])
    assert supervisor.get(reverse("benefits:batch", args=[batch.pk])).status_code == 200
    assert supervisor.post(reverse("benefits:payments_recurring"), {"month": "2026-03"}).status_code == 403
    assert client_for(cast["counter"]).get(reverse("benefits:payments")).status_code == 403
    assert client_for(cast["other_supervisor"]).get(reverse("benefits:batch", args=[batch.pk])).status_code == 404
    response = client_for(cast["verifier"]).post(reverse("benefits:payments_recurring"), {"month": "2026-03"})
    assert response.status_code == 302


def _upload(text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("confirmation.csv", text.encode(), content_type="text/csv")


def test_the_beat_task_runs_the_month(employer, cast):
    from benefits.tasks import payments_monthly_run

    person = _person(employer, cast, 60)
    _claim(
        person,
        cast,
        benefit=Benefit.INVALIDITY,
        event=datetime.date(2026, 1, 5),
        monthly=True,
        status=Claim.Status.APPROVED,
    )
    assert payments_monthly_run("2026-02-01") == 1
    assert payments_monthly_run("2026-02-01") == 0
