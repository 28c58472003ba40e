"""A clear-cut sickness claim decided at the counter in one sitting: the ticket is called, the
case opens on the claim recording page for the person with the benefit chosen, the claim is
typed with the keyboard (date, days off, documents), recorded and examined in one submit,
and approved on the claim page. Counts the screens (page loads) and the keypresses and
clicks from the call to the decision, and writes them to tests/artifacts/benefit_flow.txt."""

import datetime
import re
import time
from decimal import Decimal

import pytest

from tests.browser.conftest import PageLoads
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # tests.factories.StaffFactory


@pytest.fixture
def office_ready(cast, offices):
    """Counter 1 serves sickness claims; an employee with 12 paid months and a bank account."""
    from benefits import rules
    from contributions.rules import period_add, period_of
    from queueing.models import Counter, ServiceKind
    from registry.models import Bank, BankAccount
    from tests.factories import contribution_months_make, employee_make, employer_make, queue_office

    rules.rules_cache_clear()
    office = queue_office(offices["1001"], counters=1)
    Counter.objects.get(office=office, number=1).services.add(office.services.get(kind=ServiceKind.SICKNESS))
    employer = employer_make(offices["1001"], cast["counter"], n=901)
    person = employee_make(
        employer, 901, cast["counter"], started_on=datetime.date(2024, 1, 1), monthly_wage=Decimal("15000")
    ).person
    last = period_add(period_of(datetime.date.today()), -1)
    contribution_months_make(person, cast["counter"], last_period=last, count=12, employer=employer)
    bank, _created = Bank.objects.get_or_create(
        code="002", defaults={"name_th": "ธนาคารกรุงเทพ", "name_en": "Bangkok Bank"}
    )
    BankAccount.objects.create(
        person=person, bank=bank, account_number="1234567890", account_name="Somchai",
        valid_from=datetime.date(2024, 1, 1),
    )  # fmt: skip
    return person


def _signed_in(browser, live_server, username):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def test_a_clear_cut_sickness_claim_is_decided_at_the_counter_in_one_sitting(
    browser, live_server, office_ready, screenshot
):
    from benefits.models import Claim
    from queueing.models import Ticket

    person = office_ready
    context, page = _signed_in(browser, live_server, "counter")
    loads = PageLoads(page)
    try:
        # The insured person takes a sickness ticket at the kiosk.
        page.goto(f"{live_server.url}/queue/kiosk/")
        page.check("input[name=customer_kind][value=insured]")
        page.fill("#id_customer_ref", person.national_id)
        page.click("button[data-service=sickness]")
        page.wait_for_selector("[data-testid=ticket-code]")

        # The counter officer signs in at counter 1.
        page.goto(f"{live_server.url}/queue/counter/")
        page.click("[data-testid=sign-in-1]")
        # The sign-in redirects to the console: count nothing until its own load is over.
        page.wait_for_url(re.compile(r"/queue/counter/\d+/$"))
        page.wait_for_selector("[data-testid=call-next]")

        keys, clicks = [], []
        loads.start()

        def press(key, why):
            keys.append(f"{key} ({why})")
            page.keyboard.press(key)

        def type_(text, why):
            keys.extend(f"{char} ({why})" for char in text)
            page.keyboard.type(text)

        started = time.monotonic()
        press("n", "call the next ticket")
        page.wait_for_selector("[data-testid=current-code]")
        press("s", "start serving")
        page.wait_for_selector("[data-testid=finish]")
        press("o", "open the case")
        page.wait_for_url("**/benefits/persons/*/claims/new/?benefit=sickness")
        page.wait_for_selector("[data-testid=checklist-table]")
        page.wait_for_load_state("load")

        # The benefit is chosen from the ticket; the event date has the focus.
        assert page.input_value("#id_benefit") == "sickness"
        assert page.evaluate("document.activeElement.id") == "id_event_date"
        assert page.locator('[data-document="bank_book"][data-state="on_record"]').count() == 1
        event = datetime.date.today() - datetime.timedelta(days=2)
        type_(f"{event.day:02d}/{event.month:02d}/{event.year + 543}", "event date, B.E.")
        press("Tab", "to the days off (the fields of other benefits are hidden)")
        assert page.evaluate("document.activeElement.id") == "id_days_off"
        type_("5", "days off work")
        press("Alt+k", "all documents presented")
        assert page.locator("#checklist input[name=presented]:checked").count() == 3
        screenshot(page, "benefit-record")
        press("Alt+s", "record and examine")
        page.wait_for_url("**/benefits/claims/*/")
        page.wait_for_selector("[data-testid=approve]")
        page.wait_for_load_state("load")
        screenshot(page, "benefit-claim-examined")
        working = page.inner_text("[data-testid=claim-working]")
        assert "1,250.00" in working  # 45,000 / 90 x 50% x 5 days, in either language

        press("Alt+a", "approve")
        page.wait_for_selector("[data-testid=decided]")
        page.wait_for_load_state("load")
        elapsed = time.monotonic() - started
        screenshot(page, "benefit-claim-approved")

        claim = Claim.objects.select_related("adjudicated_by").get()
        assert claim.status == Claim.Status.APPROVED and claim.adjudicated_by.username == "counter"
        assert claim.event_date == event and claim.details == {"days_off": 5}
        assert list(claim.steps.values_list("to_status", flat=True)) == ["recorded", "examined", "approved"]
        assert Ticket.objects.get().case == person

        screens = loads.urls()
        report = "\n".join(
            [
                "A clear-cut sickness claim at one counter, from the ticket call to the decision",
                f"screens (page loads after the call): {len(screens)}",
                *(f"  {n}. {url}" for n, url in enumerate(screens, 1)),
                "  (the call and the start are htmx swaps on the console)",
                f"keypresses: {len(keys)}",
                *(f"  - {key}" for key in keys),
                f"mouse clicks: {len(clicks)}",
                f"time from the call to the decision on screen (test server): {elapsed:.1f} s",
                f"claim {claim.pk}: {claim.benefit}, {claim.amount} THB, {claim.status}",
            ]
        )
        print(report)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "benefit_flow.txt").write_text(report + "\n", encoding="utf-8")
        assert len(screens) == 3 and len(clicks) == 0
    finally:
        context.close()


def test_choosing_another_benefit_shows_its_details_and_its_checklist(browser, live_server, office_ready, screenshot):
    from benefits.models import Claim

    person = office_ready
    context, page = _signed_in(browser, live_server, "counter")
    try:
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
    finally:
        context.close()
