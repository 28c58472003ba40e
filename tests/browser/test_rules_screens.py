"""Rules administration (issue 16), driven by two head-office rules administrators: one proposes
a temporary cut of the employee and employer rates to 3% in one province for three months from
next month and sees its preview on the statements filed there; the other confirms it; then a
statement of that province for those months computes with 3%, while another province's, and
the same province's months before and after, do not."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.harness import click_and_wait, messages_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal


def _be(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def test_a_temporary_province_cut_is_proposed_previewed_confirmed_and_applies_to_its_months_only(
    live_server, signed_in, cast, screenshot
):
    from contributions import rules
    from sso.core.models import Office, RuleChange
    from sso.core.months import month_add, month_first
    from tests.factories import OfficeFactory, StaffFactory, employee_make, employer_make, province_get, statement_make

    head = OfficeFactory(code="1000", kind=Office.Kind.HEAD, name_en="Head office", name_th="ส่วนกลาง")
    for username in ("rules_a", "rules_b"):
        StaffFactory(username=username, office=head, roles=["rules_administrator"])
    officer = cast["counter"]
    chiang_mai_office, bangkok_office = cast["other_supervisor"].office, officer.office
    cm_employer = employer_make(chiang_mai_office, officer, n=61)
    bkk_employer = employer_make(bangkok_office, officer, n=62)
    cm_people = [employee_make(cm_employer, n, officer, started_on=datetime.date(2024, 1, 1)).person for n in (61, 63)]
    bkk_person = employee_make(bkk_employer, 62, officer, started_on=datetime.date(2024, 1, 1)).person
    this_month = month_first(timezone.localdate())
    statement_make(cm_employer, officer, cm_people, wages=["10000", "12000"], period=month_add(this_month, -1))

    start = month_add(this_month, 1)
    end = month_add(start, 3) - datetime.timedelta(days=1)
    rate = rules.rate_for(start)

    # Administrator A proposes the cut on the rules page.
    page = signed_in("rules_a", language="en")
    page.goto(f"{live_server.url}/rules/")
    click_and_wait(page, page.get_by_test_id("rule-table-contributions.contributionrate"))
    assert "A statement already filed keeps the rates" in page.inner_text("[data-testid=effect]")
    click_and_wait(page, page.get_by_test_id("propose"))
    page.select_option("#id_row-province", str(province_get("50").pk))
    page.fill("#id_row-employee_rate", "3")
    page.fill("#id_row-employer_rate", "3")
    page.fill("#id_row-government_rate", str(rate.government_rate))
    page.fill("#id_row-wage_floor", str(rate.wage_floor))
    page.fill("#id_row-wage_ceiling", str(rate.wage_ceiling))
    page.fill("#id_valid_from", _be(start))
    page.fill("#id_valid_to", _be(end))
    page.fill("#id_reason", "Floods in Chiang Mai: a three-month relief for employers and employees")
    page.fill("#id_legal_reference", "Ministerial Regulation on contribution rates, B.E. 2569")
    click_and_wait(page, page.get_by_role("button", name="Propose"))
    assert messages_text(page) == "The change is proposed: a second administrator must confirm it."
    change = RuleChange.objects.get()
    assert (change.valid_from, change.valid_to, change.values["employee_rate"]) == (start, end, "3.00")

    # The preview: the last statements filed in the province, now and with the cut.
    preview = page.inner_text("[data-testid=preview]")
    assert "2 employees" in preview
    # 10,000 and 12,000 at 5% + 5% (2,200) against 3% + 3% (1,320): 880 less.
    assert page.inner_text("[data-testid=preview-total]").split("\t")[-1].strip() == "THB -880.00"
    assert page.get_by_test_id("confirm").count() == 0  # not to the proposer
    screenshot(page, "rules-change-preview")

    # Administrator B confirms it.
    other = signed_in("rules_b", language="en")
    other.goto(f"{live_server.url}/rules/changes/{change.pk}/")
    click_and_wait(other, other.get_by_test_id("confirm"))
    assert messages_text(other) == "The change is confirmed: the new row is in the table."
    assert other.inner_text("[data-testid=status]") == "Confirmed"
    history = other.inner_text("[data-testid=history]")
    assert "rules_a" in history and "rules_b" in history
    other.goto(f"{live_server.url}/rules/contributions.contributionrate/")
    scheduled = other.inner_text("[data-testid=rows-scheduled]")
    assert "Chiang Mai" in scheduled and "3.00" in scheduled
    screenshot(other, "rules-table-scheduled")

    # Statements filed once those months have come (the service is told the day).
    rules.rules_cache_clear()

    def filed(employer, people, period):
        return statement_make(
            employer, officer, people, period=period, today=period + datetime.timedelta(days=2)
        ).employee_total

    for month in range(3):
        assert filed(cm_employer, cm_people[:1], month_add(start, month)) == D("300.00")
        assert filed(bkk_employer, [bkk_person], month_add(start, month)) == D("500.00")
    assert filed(cm_employer, cm_people[:1], this_month) == D("500.00")
    assert filed(cm_employer, cm_people[:1], month_add(start, 3)) == D("500.00")
