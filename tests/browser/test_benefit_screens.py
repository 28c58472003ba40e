"""A clear-cut sickness claim decided at the counter in one sitting: the ticket is called, the
case opens on the claim recording page for the person with the benefit chosen, the claim is
typed with the keyboard (date, days off, documents), recorded and examined in one submit,
and approved on the claim page. Counts the screens (page loads) and the keypresses and
clicks from the call to the decision, and writes them to tests/artifacts/benefit_flow.txt."""

import datetime
from decimal import Decimal

import pytest

from tests.browser.harness import Flow, counter_sign_in, ticket_take

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office_ready(cast, offices):
    """Counter 1 serves sickness claims; an employee with 12 paid months and a bank account."""
    from benefits import rules
    from queueing.models import Counter, ServiceKind
    from sso.core.months import month_add, month_first
    from tests.factories import (
        BankAccountFactory,
        contribution_months_make,
        employee_make,
        employer_make,
        queue_office,
    )

    rules.rules_cache_clear()
    office = queue_office(offices["1001"], counters=1)
    Counter.objects.get(office=office, number=1).services.add(office.services.get(kind=ServiceKind.SICKNESS))
    employer = employer_make(offices["1001"], cast["counter"], n=901)
    person = employee_make(
        employer, 901, cast["counter"], started_on=datetime.date(2024, 1, 1), monthly_wage=Decimal("15000")
    ).person
    last = month_add(month_first(datetime.date.today()), -1)
    contribution_months_make(person, cast["counter"], last_period=last, count=12, employer=employer)
    BankAccountFactory(person=person, account_number="1234567890")
    return person


def test_a_clear_cut_sickness_claim_is_decided_at_the_counter_in_one_sitting(
    live_server, signed_in, office_ready, screenshot
):
    from benefits.models import Claim
    from queueing.models import Ticket

    person = office_ready
    page = signed_in("counter")
    flow = Flow(page)
    # The insured person takes a sickness ticket at the kiosk; the counter officer signs in at counter 1.
    ticket_take(page, live_server, customer_kind="insured", customer_ref=person.national_id, service="sickness")
    counter_sign_in(page, live_server, 1)

    flow.start()
    flow.press("n", "call the next ticket")
    page.wait_for_selector("[data-testid=current-code]")
    flow.press("s", "start serving")
    page.wait_for_selector("[data-testid=finish]")
    flow.press("o", "open the case")
    page.wait_for_url("**/benefits/persons/*/claims/new/?benefit=sickness")
    page.wait_for_selector("[data-testid=checklist-table]")
    page.wait_for_load_state("load")

    # The benefit is chosen from the ticket; the event date has the focus.
    assert page.input_value("#id_benefit") == "sickness"
    assert page.evaluate("document.activeElement.id") == "id_event_date"
    assert page.locator('[data-document="bank_book"][data-state="on_record"]').count() == 1
    event = datetime.date.today() - datetime.timedelta(days=2)
    flow.type(f"{event.day:02d}/{event.month:02d}/{event.year + 543}", "event date, B.E.")
    flow.press("Tab", "to the days off (the fields of other benefits are hidden)")
    assert page.evaluate("document.activeElement.id") == "id_days_off"
    flow.type("5", "days off work")
    flow.press("Alt+k", "all documents presented")
    assert page.locator("#checklist input[name=presented]:checked").count() == 3
    screenshot(page, "benefit-record")
    flow.press("Alt+s", "record and examine")
    page.wait_for_url("**/benefits/claims/*/")
    page.wait_for_selector("[data-testid=approve]")
    page.wait_for_load_state("load")
    screenshot(page, "benefit-claim-examined")
    working = page.inner_text("[data-testid=claim-working]")
    assert "1,250.00" in working  # 45,000 / 90 x 50% x 5 days, in either language

    flow.press("Alt+a", "approve")
    page.wait_for_selector("[data-testid=decided]")
    page.wait_for_load_state("load")
    flow.stop()
    screenshot(page, "benefit-claim-approved")

    claim = Claim.objects.select_related("adjudicated_by").get()
    assert claim.status == Claim.Status.APPROVED and claim.adjudicated_by.username == "counter"
    assert claim.event_date == event and claim.details == {"days_off": 5}
    assert list(claim.steps.values_list("to_status", flat=True)) == ["recorded", "examined", "approved"]
    assert Ticket.objects.get().case == person

    screens = flow.screens()
    flow.report(
        "benefit_flow.txt",
        title="A clear-cut sickness claim at one counter, from the ticket call to the decision",
        screens=screens,
        screens_note="the call and the start are htmx swaps on the console",
        until="the decision",
        summary=f"claim {claim.pk}: {claim.benefit}, {claim.amount} THB, {claim.status}",
    )
    assert len(screens) == 3 and len(flow.clicks) == 0


def test_choosing_another_benefit_shows_its_details_and_its_checklist(live_server, signed_in, office_ready, screenshot):
    from benefits.models import Claim

    person = office_ready
    page = signed_in("counter")
    page.goto(f"{live_server.url}/benefits/persons/{person.pk}/claims/new/")
    page.wait_for_load_state("load")
    assert page.evaluate("document.activeElement.id") == "id_benefit"
    assert not page.is_visible("#id_days_off")
    page.select_option("#id_benefit", "unemployment")
    page.wait_for_selector('[data-document="job_registration"]')
    assert page.is_visible("#id_registered_on") and not page.is_visible("#id_days_off")
    assert not page.is_visible("#id_dependant")
    page.select_option("#id_benefit", "maternity")
    page.wait_for_selector('[data-document="birth_certificate"]')
    assert page.is_visible("#id_children") and page.is_visible("#id_dependant")
    href = page.get_attribute("#slip-link", "href")
    assert "benefit=maternity" in href
    screenshot(page, "benefit-record-maternity")
    assert not Claim.objects.exists()
