"""A person is national (issue 15): an officer of office 1001 finds, in a real browser, a
person registered by another office, by name and by national ID, opens the record and the
claim form, and the read is logged for the supervisors."""

import pytest

from tests.factories import employee_make, employer_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_of_1001_finds_another_offices_person_and_opens_the_claim_form(
    live_server, signed_in, cast, offices, screenshot
):
    from registry.models import PersonReadLog

    away = employer_make(offices["5000"], cast["other_supervisor"], n=1601)
    person = employee_make(away, 1602, cast["other_supervisor"], first_name_th="ทองดี", last_name_th="มีทรัพย์").person
    assert cast["counter"].office.code == "1001" and person.office.code == "5000"

    page = signed_in("counter", locale="th-TH", language="th")
    page.goto(f"{live_server.url}/registry/search/")
    page.fill("#id_q", "ทองดี มีทรัพย์")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=person-results]")
    results = page.inner_text("[data-testid=person-results]")
    assert person.national_id_display in results and "5000" in results
    screenshot(page, "registry-national-search")

    # By the national ID with dashes: straight to the record.
    page.fill("#id_q", person.national_id_display)
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=completeness]")
    assert page.url.endswith(person.get_absolute_url())
    screenshot(page, "registry-national-person")

    page.click("[data-testid=record-claim]")
    page.wait_for_selector("#id_event_date")
    assert page.url.endswith(f"/benefits/persons/{person.pk}/claims/new/") or "claims" in page.url
    assert person.national_id_display in page.content()
    screenshot(page, "registry-national-claim-form")

    read = PersonReadLog.objects.get(reader=cast["counter"], person=person)
    assert (read.reader_office.code, read.person_office.code, read.via) == ("1001", "5000", "page")
