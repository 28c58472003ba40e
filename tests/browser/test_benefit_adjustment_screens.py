"""Adjustment orders on the screens (issue 20, part 2): a child allowance approved at 600 a
month with two months paid; the supervisor upholds the person's appeal on the claim page (the
rules give 800); the verifier finds the two adjustment orders of 200 with their reason on the
claim page, batches them from the payments page, and the batch's page shows them with it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.harness import click_and_wait, press_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal


def _approved_and_paid(cast, offices):
    """The claim approved at 600 a month from last month, both months paid by the bank."""
    from benefits import appeals, payments, services
    from benefits.models import Claim
    from registry import services as registry_services
    from sso.core.months import month_add, month_first
    from tests.factories import (
        BankAccountFactory,
        BankFactory,
        contribution_months_make,
        employee_make,
        employer_make,
    )

    this_month = month_first(timezone.localdate())
    employer = employer_make(offices["1001"], cast["counter"], n=871)
    person = employee_make(employer, 871, cast["counter"], started_on=datetime.date(2023, 1, 1)).person
    contribution_months_make(
        person, cast["counter"], last_period=month_add(this_month, -3), count=24, employer=employer
    )
    bank = BankFactory()
    BankAccountFactory(person=person, account_number="5550000871", account_name="Person 871", bank=bank)
    child = registry_services.dependant_add(
        officer=cast["counter"],
        person=person,
        kind="child",
        first_name_th="ลูก",
        last_name_th="ใจดี",
        birth_date=timezone.localdate() - datetime.timedelta(days=700),
        birth_certificate_id="BC871",
    )
    claim = services.claim_record(
        officer=cast["counter"],
        person=person,
        benefit="child_allowance",
        event_date=month_add(this_month, -1),
        dependant=child,
        presented=["claim_form", "birth_certificate", "bank_book", "id_card"],
    )
    services.claim_examine(claim=claim, officer=cast["counter"])
    Claim.objects.filter(pk=claim.pk).update(amount=D("600.00"), verification=Claim.Verification.CLEAR)
    claim = services.claim_adjudicate(claim=Claim.objects.get(pk=claim.pk), officer=cast["counter"], approve=True)
    batch = payments.batch_make(office=offices["1001"], bank=bank, pay_on=this_month, officer=cast["verifier"])
    payments.batch_mark_sent(batch=batch, officer=cast["verifier"])
    lines = "".join(f"{order.pk},PAID,REF-871-{order.pk},\r\n" for order in batch.orders.all())
    assert not payments.confirmation_import(batch=batch, content=lines.encode(), officer=cast["verifier"]).errors
    appeals.appeal_lodge(claim=claim, officer=cast["counter"], grounds="The allowance is 800 a month")
    return claim, [month_add(this_month, -1), this_month]


def test_an_upheld_appeal_shows_its_adjustment_orders_on_the_claim_and_in_the_batch(
    live_server, signed_in, cast, offices, screenshot
):
    from benefits.models import Appeal, PaymentBatch, PaymentOrder

    claim, months = _approved_and_paid(cast, offices)
    page = signed_in("supervisor", language="en")
    page.goto(f"{live_server.url}/benefits/claims/{claim.pk}/")
    page.fill("[data-testid=appeal-decide-form] textarea", "The rate in force is 800 a month")
    click_and_wait(page, page.locator("[data-testid=appeal-uphold]"))
    appeal = Appeal.objects.get()
    assert appeal.status == "upheld" and appeal.reexamined_amount == D("800.00")

    page = signed_in("verifier", language="en")
    page.goto(f"{live_server.url}/benefits/claims/{claim.pk}/")
    rows = page.locator("[data-testid=claim-orders] tr[data-kind=adjustment]")
    assert rows.count() == 2
    reason = f"Appeal {appeal.pk} upheld: {months[0]:%m/%Y} paid THB 600.00, due THB 800.00."
    assert reason in rows.first.inner_text() and "THB 200.00" in rows.first.inner_text()
    screenshot(page, "benefit-adjustment-orders")

    page.goto(f"{live_server.url}/benefits/payments/")
    page.select_option("#id_bank", str(claim.payment_orders.first().bank_id))
    page.fill("#id_pay_on", f"{timezone.localdate():%d/%m/%Y}")
    press_and_wait(page, "Alt+b")
    batch = PaymentBatch.objects.order_by("-pk").first()
    assert (batch.order_count, batch.total) == (2, D("400.00"))
    assert set(batch.orders.values_list("kind", flat=True)) == {PaymentOrder.Kind.ADJUSTMENT}
    adjustments = page.locator("[data-testid=batch-orders] tr[data-kind=adjustment]")
    assert adjustments.count() == 2 and "Adjustment after an appeal" in adjustments.first.inner_text()
    assert f"Appeal {appeal.pk} upheld" in adjustments.first.inner_text()
    screenshot(page, "benefit-adjustment-batch")
