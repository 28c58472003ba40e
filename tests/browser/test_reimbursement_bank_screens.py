"""Reimbursements of overpaid contributions paid through the bank, driven by a back-office
verifier: approved with the account to pay into, put into a bank batch, its file downloaded,
sent, the bank's confirmation imported, and the returned transfer queued again to a corrected
account."""

import datetime
from decimal import Decimal

import pytest

from tests.browser.harness import click_and_wait, messages_text, press_and_wait
from tests.test_contributions_backoffice import requested, two_employers  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal


def test_a_reimbursement_batch_goes_through_the_bank_and_a_returned_transfer_is_queued_again(
    live_server,
    signed_in,
    cast,
    requested,  # noqa: F811
    screenshot,
):
    from contributions.models import Reimbursement, ReimbursementBatch
    from tests.factories import BankAccountFactory, BankFactory

    bank = BankFactory()
    above, twice = requested
    BankAccountFactory(person=above.person, bank=bank, account_number="5550000001", account_name="Person One")
    page = signed_in("verifier", language="en")
    page.goto(f"{live_server.url}/contributions/reimbursements/")

    # The employer's double payment: approved to the account the verifier types.
    row = page.locator(f"tr[data-reimbursement='{twice.pk}']")
    row.locator("summary").click()
    page.select_option(f"#bank-{twice.pk}", str(bank.pk))
    page.fill(f"#account-number-{twice.pk}", "111-2-22333-4")
    page.fill(f"#account-name-{twice.pk}", "Firm Ltd")
    click_and_wait(page, row.get_by_role("button", name="Approve"))
    assert messages_text(page) == "The reimbursement is approved."
    # The person's excess: to their open account, nothing typed.
    click_and_wait(page, page.locator(f"tr[data-reimbursement='{above.pk}']").get_by_role("button", name="Approve"))
    assert "1112223334 Firm Ltd" in page.inner_text("[data-testid=reimbursements-approved]")
    screenshot(page, "reimbursements-approved")

    page.select_option("#id_bank", str(bank.pk))
    pay_on = datetime.date.today() + datetime.timedelta(days=2)
    page.fill("#id_pay_on", pay_on.isoformat())
    press_and_wait(page, "Alt+b")
    batch = ReimbursementBatch.objects.get()
    assert page.url == f"{live_server.url}/contributions/reimbursements/batches/{batch.pk}/"
    assert (batch.total, batch.pay_on, batch.status) == (D("1875.00"), pay_on, "open")

    with page.expect_download() as download:
        page.keyboard.press("Alt+f")
    with open(download.value.path(), encoding="utf-8", newline="") as file:
        lines = file.read().split("\r\n")
    assert lines[0] == f"H,002,{pay_on:%Y%m%d},{batch.pk},2,187500"
    assert lines[1].startswith(f"D,{above.pk},5550000001,Person One,37500,SSR{above.pk}-")

    press_and_wait(page, "Alt+s")
    assert messages_text(page) == "The batch is marked sent."
    bad = f"{above.pk},PAID,\r\n".encode()
    page.set_input_files("#id_file", {"name": "bad.csv", "mimeType": "text/csv", "buffer": bad})
    press_and_wait(page, "Alt+i")
    assert "Line 1: A paid line needs the bank reference." in page.inner_text("[data-testid=confirmation-errors]")
    good = f"{above.pk},PAID,BBL-9,\r\n{twice.pk},FAILED,,Account closed\r\n".encode()
    page.set_input_files("#id_file", {"name": "ok.csv", "mimeType": "text/csv", "buffer": good})
    press_and_wait(page, "Alt+i")
    assert messages_text(page) == "Confirmation imported: 1 paid, 1 failed, 0 already applied."
    screenshot(page, "reimbursement-batch-confirmed")

    click_and_wait(page, page.get_by_role("link", name="Returned transfers"))
    row = page.locator(f"tr[data-reimbursement='{twice.pk}']")
    assert "Account closed" in row.inner_text()
    page.select_option(f"#bank-{twice.pk}", str(bank.pk))
    page.fill(f"#account-number-{twice.pk}", "9999999999")
    page.fill(f"#account-name-{twice.pk}", "Firm Ltd")
    screenshot(page, "reimbursements-returned")
    click_and_wait(page, row.get_by_role("button", name="Queue again"))
    assert messages_text(page) == "The transfer is queued again."
    statuses = dict(Reimbursement.objects.values_list("pk", "status"))
    assert (statuses[above.pk], statuses[twice.pk]) == ("paid", "approved")
