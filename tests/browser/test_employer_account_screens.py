"""The employer's account at the counter (issue 15, part 2), in the browser: an employer whose
three last months are due is opened on the oldest with a warning (in Thai, B.E.), and the
counter takes the three months in one visit, one receipt each; after it, the same employer
opens on the month in progress."""

import datetime
from decimal import Decimal

import pytest


@pytest.fixture
def employer_due(cast, offices):
    from sso.core.months import month_add, month_first
    from tests.factories import employee_make, employer_make

    oldest = month_add(month_first(datetime.date.today()), -3)
    employer = employer_make(offices["1001"], cast["counter"], n=901)
    for n, wage in enumerate(("9000", "16000")):
        employee_make(employer, 90 + n, cast["counter"], started_on=oldest, monthly_wage=Decimal(wage))
    return employer, oldest


def test_the_counter_opens_on_the_oldest_unpaid_month_and_takes_several_months(
    live_server, signed_in, employer_due, screenshot
):
    from contributions import account as accounts
    from contributions.models import Payment, Receipt, Statement
    from sso.core.formats import BE_OFFSET
    from sso.core.months import month_add, month_first

    employer, oldest = employer_due
    page = signed_in("counter", language="th")
    page.goto(f"{live_server.url}/contributions/counter/")
    page.fill("#id_account", employer.account_number)
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=oldest-warning]")
    page.wait_for_load_state("load")
    screenshot(page, "employer-account-counter-oldest")
    warning = page.inner_text("[data-testid=oldest-warning]")
    be_month = f"{oldest.month:02d}/{oldest.year + BE_OFFSET}"
    assert be_month in warning and "3" in warning  # three months due, the oldest opened, in B.E.
    assert page.input_value("#id_period") == be_month
    assert page.locator("[data-testid=months-due] tbody tr").count() == 3

    # Unticking a month changes the amount; ticked again, it is the total due.
    total = accounts.employer_account(employer).total_due
    assert page.input_value("[data-testid=months-amount]") == f"{total:.2f}"
    page.locator("[data-testid=months-due] input[name=months]").nth(0).uncheck()
    assert page.input_value("[data-testid=months-amount]") != f"{total:.2f}"
    page.locator("[data-testid=months-due] input[name=months]").nth(0).check()
    assert page.input_value("[data-testid=months-amount]") == f"{total:.2f}"

    page.click("[data-testid=months-pay-submit]")
    page.wait_for_selector("[data-testid=visit-receipts]")
    page.wait_for_load_state("load")
    screenshot(page, "employer-account-visit-receipts")
    assert Receipt.objects.count() == 3 and Payment.objects.count() == 3
    assert set(Statement.objects.values_list("status", flat=True)) == {"paid"}
    assert page.locator("[data-testid=visit-receipts] tbody tr").count() == 3
    assert page.locator("[data-testid=nothing-due]").count() == 1

    # The same employer opens again on the month in progress, not on a month just paid.
    page.click("[data-testid=counter-link]")
    page.wait_for_selector("[data-testid=grid]")
    current = month_first(datetime.date.today())
    assert page.input_value("#id_period") == f"{current.month:02d}/{current.year + BE_OFFSET}"
    assert page.locator("[data-testid=oldest-warning]").count() == 0
    assert month_add(oldest, 3) == current
