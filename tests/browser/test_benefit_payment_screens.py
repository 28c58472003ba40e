"""The paying screens driven by a back-office verifier (the role that holds pay_claim): a batch
made for a bank from the payments page, its bank file downloaded, sent and the bank's
confirmation imported (a bad file refused whole, a re-import changing nothing); the returned
transfers queued again or cancelled; the monthly recurring run (a re-run pays nothing twice);
and cash or a cheque paid at the office."""

import datetime
from decimal import Decimal

import pytest

from tests.browser.harness import cells, click_and_wait, messages_text, press_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal


@pytest.fixture
def bank(db):
    from tests.factories import BankFactory

    return BankFactory()


@pytest.fixture
def employer(cast, offices):
    from tests.factories import employer_make

    return employer_make(offices["1001"], cast["counter"], n=821)


def _person(employer, cast, n, bank=None):
    from tests.factories import BankAccountFactory, employee_make

    person = employee_make(employer, n, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    if bank is not None:
        BankAccountFactory(person=person, bank=bank, account_number=f"55500000{n:02d}", account_name=f"Person {n}")
    return person


def _claim(person, cast, *, event=datetime.date(2026, 3, 2), amount="1500.00", **fields):
    from tests.factories import ClaimFactory

    fields = {"verification": "clear"} | fields
    return ClaimFactory(person=person, recorded_by=cast["counter"], event_date=event, amount=D(amount), **fields)


def _approved_order(person, cast, **fields):
    """An approved one-off claim and the payment order its approval makes."""
    from benefits import payments

    claim = _claim(person, cast, status="approved", **fields)
    (order,) = payments.payment_orders_first(claim=claim, officer=cast["counter"])
    return order


def _statuses(*orders):
    from benefits.models import PaymentOrder

    found = dict(PaymentOrder.objects.filter(pk__in=[o.pk for o in orders]).values_list("pk", "status"))
    return [found[o.pk] for o in orders]


def test_a_batch_is_made_sent_confirmed_by_the_bank_and_its_returned_transfers_handled(
    live_server, signed_in, cast, offices, employer, bank, screenshot
):
    from benefits.models import Claim, PaymentBatch, PaymentOrder
    from registry.models import BankAccount
    from tests.factories import employer_make

    a = _approved_order(_person(employer, cast, 1, bank), cast, amount="1000.50")
    b = _approved_order(_person(employer, cast, 2, bank), cast, amount="2250.25")
    c = _approved_order(_person(employer, cast, 3, bank), cast, amount="800.00")
    held = _approved_order(_person(employer, cast, 4, bank), cast, verification="pending")
    elsewhere = employer_make(offices["5000"], cast["counter"], n=822)
    theirs = _approved_order(_person(elsewhere, cast, 5, bank), cast, amount="999.00")
    assert _statuses(a, b, c, held, theirs) == ["pending", "pending", "pending", "held", "pending"]

    page = signed_in("verifier", language="en")
    # The payments page: the office's three pending transfers to Bangkok Bank (not the
    # held one, not another office's), and the form to batch them.
    page.goto(f"{live_server.url}/benefits/payments/")
    to_batch = "[data-testid=to-batch] tr[data-bank='002']"
    assert cells(page, to_batch)[1:] == ["3", "THB 4,050.75"]
    assert page.inner_text("[data-testid=held-count]") == "1 payment held by the back office."
    screenshot(page, "payments-to-batch")

    page.select_option("#id_bank", str(bank.pk))
    pay_on = datetime.date.today() + datetime.timedelta(days=3)
    page.fill("#id_pay_on", pay_on.isoformat())
    press_and_wait(page, "Alt+b")
    batch = PaymentBatch.objects.get()
    assert page.url == f"{live_server.url}/benefits/payments/batches/{batch.pk}/"
    assert messages_text(page) == "Batch made: 3 transfers."
    assert (batch.order_count, batch.total, batch.pay_on, batch.status) == (3, D("4050.75"), pay_on, "open")
    assert page.locator("[data-testid=batch-orders] tr[data-status=in_batch]").count() == 3
    assert _statuses(a, b, c, held, theirs) == ["in_batch", "in_batch", "in_batch", "held", "pending"]

    # The bank file, as the officer downloads it.
    with page.expect_download() as download:
        page.keyboard.press("Alt+f")
    assert download.value.suggested_filename == f"sso-002-{pay_on:%Y%m%d}-{batch.pk}.csv"
    with open(download.value.path(), encoding="utf-8", newline="") as file:
        lines = file.read().split("\r\n")
    assert lines == [
        f"H,002,{pay_on:%Y%m%d},{batch.pk},3,405075",
        f"D,{a.pk},5550000001,Person 1,100050,SSO{a.pk}-202603",
        f"D,{b.pk},5550000002,Person 2,225025,SSO{b.pk}-202603",
        f"D,{c.pk},5550000003,Person 3,80000,SSO{c.pk}-202603",
        "",
    ]

    # Nothing left to batch for that bank: the page says so and makes no empty batch.
    page.goto(f"{live_server.url}/benefits/payments/")
    assert "No transfer waiting." in page.inner_text("[data-testid=to-batch]")
    page.select_option("#id_bank", str(bank.pk))
    press_and_wait(page, "Alt+b")
    assert "No transfer to this bank is waiting to be paid." in page.inner_text("form .errors")
    assert PaymentBatch.objects.count() == 1

    # Sent to the bank: only then the confirmation form appears.
    click_and_wait(page, page.get_by_role("link", name=str(batch.pk), exact=True))
    assert page.locator("#id_file").count() == 0
    press_and_wait(page, "Alt+s")
    assert messages_text(page) == "The batch is marked sent."
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.SENT

    # A file with bad lines is refused whole, each bad line named; nothing changes.
    bad = f"order_id,status,reference,reason\r\n{a.pk},PAID,BBL-0001,\r\n999999,PAID,BBL-0002,\r\n{b.pk},MAYBE\r\n"
    page.set_input_files("#id_file", {"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()})
    press_and_wait(page, "Alt+i")
    errors = page.inner_text("[data-testid=confirmation-errors]")
    assert "Nothing was stored" in errors
    assert "Line 3: Order 999999 is unknown." in errors
    assert "Line 4: Expected 4 fields" in errors
    assert "Line 2" not in errors
    screenshot(page, "payments-confirmation-refused")
    assert _statuses(a, b, c) == ["in_batch", "in_batch", "in_batch"]
    assert a.history.count() == 2  # made, batched

    # The bank's file: a paid, b and c returned.
    good = (
        "order_id,status,reference,reason\r\n"
        f"{a.pk},PAID,BBL-0001,\r\n{b.pk},FAILED,,Account closed\r\n{c.pk},FAILED,,No such account\r\n"
    )
    upload = {"name": "confirmation.csv", "mimeType": "text/csv", "buffer": good.encode()}
    page.set_input_files("#id_file", upload)
    press_and_wait(page, "Alt+i")
    assert messages_text(page) == "Confirmation imported: 1 paid, 2 failed, 0 already applied."
    assert page.get_attribute(f"tr[data-order='{a.pk}']", "data-status") == "paid"
    assert "BBL-0001" in page.inner_text(f"tr[data-order='{a.pk}']")
    assert page.get_attribute(f"tr[data-order='{b.pk}']", "data-status") == "failed"
    assert "Account closed" in page.inner_text(f"tr[data-order='{b.pk}']")
    screenshot(page, "payments-batch-confirmed")
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.bank_reference, a.paid_at is not None) == ("paid", "BBL-0001", True)
    assert (b.status, b.failure_reason) == ("failed", "Account closed")
    assert Claim.objects.get(pk=a.claim_id).status == Claim.Status.PAID  # one-off, all paid: last step
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.CONFIRMED
    history = PaymentOrder.history.count()

    # The same file again: nothing changes, and the page says so.
    page.set_input_files("#id_file", upload)
    press_and_wait(page, "Alt+i")
    assert messages_text(page) == "Confirmation imported: 0 paid, 0 failed, 3 already applied."
    assert PaymentOrder.history.count() == history
    assert _statuses(a, b, c) == ["paid", "failed", "failed"]

    # The returned transfers. b's person has a new account in the registry: queue again.
    BankAccount.objects.filter(person=b.claim.person).update(valid_to=datetime.date.today())
    BankAccount.objects.create(
        person=b.claim.person,
        bank=bank,
        account_number="5559999999",
        account_name="Person 2",
        valid_from=datetime.date.today(),
    )
    click_and_wait(page, page.get_by_role("link", name="Payments", exact=True).last)
    click_and_wait(page, page.get_by_role("link", name="Returned transfers"))
    assert page.url.endswith("/benefits/payments/returned/")
    assert "Account closed" in page.inner_text(f"[data-testid=returned] tr[data-order='{b.pk}']")
    assert "No such account" in page.inner_text(f"[data-testid=returned] tr[data-order='{c.pk}']")
    assert page.locator("[data-testid=returned] tbody tr").count() == 2
    screenshot(page, "payments-returned")

    click_and_wait(page, page.locator(f"tr[data-order='{b.pk}']").get_by_role("button", name="Queue again"))
    assert page.url.endswith("/benefits/payments/returned/")
    assert messages_text(page) == "The transfer is queued again."
    assert page.locator(f"tr[data-order='{b.pk}']").count() == 0
    b.refresh_from_db()
    assert (b.status, b.batch_id, b.account_number, b.bank_reference) == ("pending", None, "5559999999", None)

    # Cancelling needs a reason: refused without one, nothing changes.
    row = page.locator(f"tr[data-order='{c.pk}']")
    click_and_wait(page, row.get_by_role("button", name="Cancel"))
    assert messages_text(page) == "Give the reason for cancelling."
    assert _statuses(c) == ["failed"]
    # The reason typed and Enter pressed: cancelled (not queued again).
    reason = row.get_by_label("Reason for cancelling")
    reason.fill("Paid by cheque at the office")
    with page.expect_navigation():
        reason.press("Enter")
    assert messages_text(page) == "The payment is cancelled."
    c.refresh_from_db()
    assert (c.status, c.failure_reason, c.batch_id) == ("cancelled", "Paid by cheque at the office", batch.pk)
    assert "No returned transfer." in page.inner_text("[data-testid=returned]")

    # The transfer queued again waits for the next batch.
    page.goto(f"{live_server.url}/benefits/payments/")
    assert cells(page, to_batch)[1:] == ["1", "THB 2,250.25"]


def test_the_monthly_run_pays_each_month_once_and_the_office_pays_cash_or_cheque(
    live_server, signed_in, cast, offices, employer, bank, screenshot
):
    from benefits.models import Claim, PaymentOrder
    from tests.factories import employer_make

    month = datetime.date.today().replace(day=1)
    started = (month - datetime.timedelta(days=40)).replace(day=5)  # the month before last
    monthly = {"monthly": True, "status": "approved", "event": started}
    _claim(_person(employer, cast, 21, bank), cast, benefit="old_age", amount="3000.00", **monthly)
    findings = {"verification": "findings"}  # the back office has findings: the month is held
    _claim(_person(employer, cast, 22), cast, benefit="invalidity", amount="2500.00", **findings, **monthly)
    allowance = _claim(_person(employer, cast, 23), cast, benefit="child_allowance", amount="800.00", **monthly)
    _claim(_person(employer, cast, 24, bank), cast, benefit="unemployment", amount="7500.00", months=1, **monthly)
    elsewhere = employer_make(offices["5000"], cast["counter"], n=823)
    _claim(_person(elsewhere, cast, 25, bank), cast, benefit="old_age", **monthly)  # another office runs it
    one_off = _approved_order(_person(employer, cast, 26), cast, amount="900.00")  # cash, not in the run
    assert (one_off.method, one_off.status) == ("cash", "pending")

    page = signed_in("verifier", language="en")
    page.goto(f"{live_server.url}/benefits/payments/")
    click_and_wait(page, page.get_by_role("link", name="Monthly recurring run"))
    assert page.url.endswith("/benefits/payments/recurring/")
    months = "[data-testid=recurring-months] tbody tr"
    assert "No month run yet." in page.inner_text(months)
    assert page.input_value("#id_month") == f"{month:%m/%Y}"  # typed month/year (C.E. in English)

    # A month after next cannot be run yet.
    later = (month + datetime.timedelta(days=70)).replace(day=1)
    page.fill("#id_month", f"{later:%Y-%m}")
    press_and_wait(page, "Alt+r")
    assert "A month after next cannot be run yet." in page.inner_text(".field.invalid")
    assert PaymentOrder.objects.count() == 1

    page.fill("#id_month", f"{month:%Y-%m}")
    press_and_wait(page, "Alt+r")
    assert messages_text(page) == f"Payments made for {month:%m/%Y}: 3."
    assert cells(page, months) == [f"{month:%m/%Y}", "3", "1", "0", "THB 6,300.00"]
    screenshot(page, "payments-recurring")
    made = PaymentOrder.objects.filter(period=month).order_by("id")
    assert list(made.values_list("claim__benefit", "status", "method", "amount")) == [
        ("old_age", "pending", "transfer", D("3000.00")),
        ("invalidity", "held", "cash", D("2500.00")),
        ("child_allowance", "pending", "cash", D("800.00")),
    ]

    # Run again: nothing is paid twice.
    press_and_wait(page, "Alt+r")
    assert messages_text(page) == f"Payments made for {month:%m/%Y}: 0."
    assert cells(page, months) == [f"{month:%m/%Y}", "3", "1", "0", "THB 6,300.00"]
    assert PaymentOrder.objects.count() == 4

    # At the office: the one-off and the month's allowance (the held month is not there).
    page.goto(f"{live_server.url}/benefits/payments/")
    at_office = page.locator("[data-testid=at-office] tbody tr")
    assert at_office.count() == 2
    duplicated = page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        " return ids.filter((id, i) => ids.indexOf(id) !== i); }"
    )
    assert duplicated == []
    screenshot(page, "payments-at-office")

    # A cheque needs its number: refused, nothing changes.
    row = page.locator(f"[data-testid=at-office] tr[data-order='{one_off.pk}']")
    row.get_by_label("Paid by").select_option("cheque")
    click_and_wait(page, row.get_by_role("button", name="Paid"))
    assert messages_text(page) == "Give the cheque number."
    assert _statuses(one_off) == ["pending"]
    row.get_by_label("Paid by").select_option("cheque")
    row.get_by_label("Receipt or cheque number").fill("CHQ-000123")
    click_and_wait(page, row.get_by_role("button", name="Paid"))
    assert messages_text(page) == "Paid at the office."
    one_off.refresh_from_db()
    assert (one_off.status, one_off.method, one_off.bank_reference) == ("paid", "cheque", "CHQ-000123")
    assert Claim.objects.get(pk=one_off.claim_id).status == Claim.Status.PAID

    # The allowance in cash, the receipt number typed and Enter pressed.
    cash = PaymentOrder.objects.get(claim=allowance, period=month)
    field = page.locator(f"[data-testid=at-office] tr[data-order='{cash.pk}']").get_by_label("Receipt or cheque number")
    field.fill("R-0042")
    # A `next` pointing off the site (a tampered form) is not followed.
    field.evaluate(
        "input => input.form.insertAdjacentHTML('beforeend',"
        " '<input type=hidden name=next value=\"https://example.com/\">')"
    )
    with page.expect_navigation():
        field.press("Enter")
    assert page.url == f"{live_server.url}/benefits/payments/"
    assert messages_text(page) == "Paid at the office."
    assert "Nothing to pay at the office." in page.inner_text("[data-testid=at-office]")
    cash.refresh_from_db()
    assert (cash.status, cash.method, cash.bank_reference) == ("paid", "cash", "R-0042")
    assert cash.history.first().history_user == cast["verifier"]
    assert Claim.objects.get(pk=allowance.pk).status == Claim.Status.APPROVED  # a monthly benefit goes on

    page.goto(f"{live_server.url}/benefits/payments/recurring/")
    assert cells(page, months) == [f"{month:%m/%Y}", "3", "1", "1", "THB 6,300.00"]
