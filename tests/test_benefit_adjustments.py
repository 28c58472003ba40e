"""Adjustment orders (issue 20, part 2): an appeal upheld against an approval changes the
amount; each month already paid gets the difference as an order of its own (or, paid at more,
an overpayment recovered from the next payments, never below zero), shown on the claim page
and in the payment batch with the reason. Amounts computed by hand in each test."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone, translation

from benefits import appeals, payments, services
from benefits.models import Appeal, Claim, PaymentOrder, PaymentRecovery
from registry import services as registry_services
from registry.models import Bank
from sso.core.months import month_add, month_first
from tests.factories import BankAccountFactory, contribution_months_make, employee_make, employer_make

D = Decimal
THIS_MONTH = month_first(timezone.localdate())


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _person(cast, offices, n, account=None):
    """Employed since 2023, 24 months paid at 15,000 baht up to last month, a child of two."""
    employer = employer_make(offices["1001"], cast["counter"], n=n)
    person = employee_make(employer, n, cast["counter"], started_on=datetime.date(2023, 1, 1)).person
    contribution_months_make(
        person, cast["counter"], last_period=month_add(THIS_MONTH, -4), count=24, employer=employer
    )
    if account:
        BankAccountFactory(person=person, account_number=account, bank=Bank.objects.get(code="002"))
    child = registry_services.dependant_add(
        officer=cast["counter"],
        person=person,
        kind="child",
        first_name_th="ลูก",
        last_name_th="ใจดี",
        birth_date=timezone.localdate() - datetime.timedelta(days=2 * 365),
        birth_certificate_id=f"BC{n}",
    )
    return person, child


def _approved_at(person, child, cast, amount, months_back):
    """A child allowance from `months_back` months ago, examined by the rules (800 a month)
    and approved at `amount` a month (the rate of an earlier decision), verified."""
    event = month_add(THIS_MONTH, -months_back)
    claim = services.claim_record(
        officer=cast["counter"],
        person=person,
        benefit="child_allowance",
        event_date=event,
        dependant=child,
        presented=["claim_form", "birth_certificate", "bank_book", "id_card"],
    )
    claim = services.claim_examine(claim=claim, officer=cast["counter"])
    assert (claim.eligible, claim.amount, claim.monthly) == (True, D("800.00"), True), claim.working
    Claim.objects.filter(pk=claim.pk).update(amount=D(amount), verification=Claim.Verification.CLEAR)
    claim.refresh_from_db()
    return services.claim_adjudicate(claim=claim, officer=cast["counter"], approve=True)


def _uphold(claim, cast):
    appeal = appeals.appeal_lodge(claim=claim, officer=cast["counter"], grounds="The rate is 800 a month")
    return appeals.appeal_decide(appeal=appeal, officer=cast["supervisor"], uphold=True, note="The rate in force")


def _orders(claim):
    return list(
        PaymentOrder.objects.filter(claim=claim)
        .order_by("period", "kind", "id")
        .values_list("period", "kind", "amount", "withheld", "status")
    )


def _batch(cast, offices):
    bank = Bank.objects.get(code="002")
    return payments.batch_make(office=offices["1001"], bank=bank, pay_on=THIS_MONTH, officer=cast["verifier"])


def _months(*back):
    return [month_add(THIS_MONTH, -n) for n in back]


def test_an_appeal_raising_the_amount_pays_each_paid_month_its_difference_by_bank(cast, offices, client_for):
    person, child = _person(cast, offices, 861, account="1234567861")
    claim = _approved_at(person, child, cast, "600.00", months_back=2)
    # Three months made at 600 (two months ago, last month, this month), all paid by the bank.
    batch = payments.batch_make(
        office=offices["1001"], bank=Bank.objects.get(code="002"), pay_on=THIS_MONTH, officer=cast["verifier"]
    )
    assert (batch.order_count, batch.total) == (3, D("1800.00"))
    payments.batch_mark_sent(batch=batch, officer=cast["verifier"])
    lines = "".join(f"{order.pk},PAID,REF-861-{order.pk},\r\n" for order in batch.orders.all())
    assert not payments.confirmation_import(batch=batch, content=lines.encode(), officer=cast["verifier"]).errors

    appeal = _uphold(claim, cast)
    claim.refresh_from_db()
    assert claim.amount == D("800.00")
    # Each paid month: 800 due - 600 paid = 200, an adjustment order of its own.
    first, second, third = _months(2, 1, 0)
    assert _orders(claim) == [
        (first, "adjustment", D("200.00"), D("0.00"), "pending"),
        (first, "payment", D("600.00"), D("0.00"), "paid"),
        (second, "adjustment", D("200.00"), D("0.00"), "pending"),
        (second, "payment", D("600.00"), D("0.00"), "paid"),
        (third, "adjustment", D("200.00"), D("0.00"), "pending"),
        (third, "payment", D("600.00"), D("0.00"), "paid"),
    ]
    adjustment = PaymentOrder.objects.filter(claim=claim, kind="adjustment").order_by("period").first()
    assert adjustment.appeal == appeal and adjustment.adjusts.period == first
    assert adjustment.reason["en"] == f"Appeal {appeal.pk} upheld: {first:%m/%Y} paid THB 600.00, due THB 800.00."
    assert f"{first.year + 543}" in adjustment.reason["th"]
    assert (adjustment.method, adjustment.account_number) == ("transfer", "1234567861")
    assert adjustment.history.first().history_user == cast["supervisor"]
    assert "3 adjustment orders, THB 600.00" in claim.steps.last().note

    # The adjustments go to the bank in a batch of their own, with their reason on its page.
    again = payments.batch_make(
        office=offices["1001"], bank=Bank.objects.get(code="002"), pay_on=THIS_MONTH, officer=cast["verifier"]
    )
    assert (again.order_count, again.total) == (3, D("600.00"))
    page = client_for(cast["verifier"]).get(f"/benefits/payments/batches/{again.pk}/").content.decode()
    assert page.count('data-kind="adjustment"') == 3 and f"Appeal {appeal.pk} upheld" in page
    claim_page = client_for(cast["verifier"]).get(f"/benefits/claims/{claim.pk}/").content.decode()
    assert claim_page.count('data-kind="adjustment"') == 3 and "paid THB 600.00, due THB 800.00" in claim_page
    # The months to come are made at the new amount.
    payments.monthly_run(month=month_add(THIS_MONTH, 1), officer=cast["verifier"], office=offices["1001"])
    assert PaymentOrder.objects.get(claim=claim, period=month_add(THIS_MONTH, 1)).amount == D("800.00")


def test_a_month_not_yet_paid_is_paid_at_the_new_amount_and_a_paid_one_adjusted(cast, offices):
    person, child = _person(cast, offices, 862)
    claim = _approved_at(person, child, cast, "600.00", months_back=1)
    last, this = PaymentOrder.objects.filter(claim=claim).order_by("period")
    payments.order_pay_at_office(order=last, officer=cast["verifier"], method="cash", reference="R-862")
    appeal = _uphold(claim, cast)
    this.refresh_from_db()
    # Last month was paid 600: 200 more; this month, not paid yet, is paid 800 instead of 600.
    assert _orders(claim) == [
        (_months(1)[0], "adjustment", D("200.00"), D("0.00"), "pending"),
        (_months(1)[0], "payment", D("600.00"), D("0.00"), "paid"),
        (THIS_MONTH, "payment", D("800.00"), D("0.00"), "pending"),
    ]
    assert (
        this.reason["en"]
        == f"Appeal {appeal.pk} upheld: the amount changed from THB 600.00 to THB 800.00 before payment."
    )
    assert not PaymentRecovery.objects.exists()


def test_an_appeal_lowering_the_amount_recovers_the_overpayment_from_the_next_payments(cast, offices, client_for):
    person, child = _person(cast, offices, 863)
    claim = _approved_at(person, child, cast, "1500.00", months_back=1)
    last, this = PaymentOrder.objects.filter(claim=claim).order_by("period")
    payments.order_pay_at_office(order=last, officer=cast["verifier"], method="cash", reference="R-863")
    appeal = _uphold(claim, cast)
    # Last month paid 1,500, due 800: 700 to recover. This month (not paid) is made 800, and
    # the 700 is withheld from it: 100 paid.
    recovery = PaymentRecovery.objects.get()
    assert (recovery.period, recovery.paid, recovery.due, recovery.amount, recovery.recovered) == (
        _months(1)[0],
        D("1500.00"),
        D("800.00"),
        D("700.00"),
        D("700.00"),
    )
    assert recovery.appeal == appeal and recovery.history.count() == 2  # recorded, then recovered
    assert _orders(claim) == [
        (_months(1)[0], "payment", D("1500.00"), D("0.00"), "paid"),
        (THIS_MONTH, "payment", D("100.00"), D("700.00"), "pending"),
    ]
    page = client_for(cast["verifier"]).get(f"/benefits/claims/{claim.pk}/").content.decode()
    assert 'data-testid="claim-recoveries"' in page and "paid THB 1,500.00, due THB 800.00" in page
    # Cancelled, this month's order gives the 700 back to the overpayment.
    payments.order_cancel(order=this, officer=cast["verifier"], reason="Paid by mistake elsewhere")
    recovery.refresh_from_db()
    assert recovery.recovered == D("0.00")


def test_a_recovery_never_takes_a_payment_below_zero_and_runs_over_the_months(cast, offices):
    person, child = _person(cast, offices, 864)
    claim = _approved_at(person, child, cast, "2000.00", months_back=2)
    first, second, this = PaymentOrder.objects.filter(claim=claim).order_by("period")
    for order, receipt in ((first, "R-1"), (second, "R-2")):
        payments.order_pay_at_office(order=order, officer=cast["verifier"], method="cash", reference=receipt)
    _uphold(claim, cast)
    # Two months paid 2,000, due 800: 1,200 each, 2,400 to recover. This month's 800 is
    # withheld whole: paid without money moving, 1,600 left.
    assert [(r.amount, r.recovered) for r in PaymentRecovery.objects.order_by("period")] == [
        (D("1200.00"), D("800.00")),
        (D("1200.00"), D("0.00")),
    ]
    this.refresh_from_db()
    assert (this.amount, this.withheld, this.status) == (D("0.00"), D("800.00"), "paid")
    # Next month: 800 withheld (800 left); the month after: 800 withheld (0 left); then paid whole.
    expected = [(D("0.00"), D("800.00"), "paid"), (D("0.00"), D("800.00"), "paid"), (D("800.00"), D("0.00"), "pending")]
    for ahead, (amount, withheld, status) in enumerate(expected, start=1):
        month = month_add(THIS_MONTH, ahead)
        assert payments.monthly_run(month=month, officer=cast["verifier"], office=offices["1001"]) == 1
        order = PaymentOrder.objects.get(claim=claim, period=month)
        assert (order.amount, order.withheld, order.status) == (amount, withheld, status), month
    assert [(r.amount, r.recovered) for r in PaymentRecovery.objects.order_by("period")] == [
        (D("1200.00"), D("1200.00")),
        (D("1200.00"), D("1200.00")),
    ]
    assert not PaymentOrder.objects.filter(amount__lt=0).exists()


def test_an_appeal_giving_the_same_amount_changes_no_order(cast, offices):
    person, child = _person(cast, offices, 865)
    claim = _approved_at(person, child, cast, "800.00", months_back=1)
    before = _orders(claim)
    appeal = _uphold(claim, cast)
    assert Appeal.objects.get(pk=appeal.pk).reexamined_amount == D("800.00")
    assert _orders(claim) == before and not PaymentRecovery.objects.exists()


def test_a_second_appeal_adjusts_from_where_the_first_left_the_month(cast, offices):
    person, child = _person(cast, offices, 866)
    claim = _approved_at(person, child, cast, "600.00", months_back=0)
    (order,) = PaymentOrder.objects.filter(claim=claim)
    payments.order_pay_at_office(order=order, officer=cast["verifier"], method="cash", reference="R-866")
    _uphold(claim, cast)  # 600 paid, 800 due: an adjustment of 200
    adjustment = PaymentOrder.objects.get(claim=claim, kind="adjustment")
    payments.order_pay_at_office(order=adjustment, officer=cast["verifier"], method="cash", reference="R-866-A")
    # The rate raised to 900 from this month on: a second appeal adjusts by 100, not 300.
    from benefits.models import BenefitParameter

    BenefitParameter.objects.filter(key="child_allowance.monthly", valid_to__isnull=True).update(
        valid_to=THIS_MONTH - datetime.timedelta(days=1)
    )
    BenefitParameter.objects.create(key="child_allowance.monthly", value=D("900"), valid_from=THIS_MONTH, note="test")
    from benefits.rules import rules_cache_clear

    rules_cache_clear()
    _uphold(claim, cast)
    assert [o[1:3] for o in _orders(claim)] == [
        ("adjustment", D("200.00")),
        ("adjustment", D("100.00")),
        ("payment", D("600.00")),
    ]
