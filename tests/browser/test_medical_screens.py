"""The medical processes' screens (issue 20, part 4): a counter officer records a claim for
medical expenses with its receipts (a duplicate receipt refused, nothing stored; the capped
amount and its working shown on the claim page); a verifier records a hospital's high-cost
request (a case of a person registered elsewhere refused), checks it, a supervisor approves
it, and the verifier pays it by bank batch."""

import datetime
from decimal import Decimal

import pytest

from tests.browser.harness import click_and_wait, messages_text, press_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal
TREATED = datetime.date(2026, 11, 10)


@pytest.fixture
def setting(cast, offices):
    from registry.services import hospital_change
    from tests.factories import BankFactory, HospitalFactory, contribution_months_make, employee_make, employer_make

    registered, other = HospitalFactory(code="H20001"), HospitalFactory(code="H20002")
    employer = employer_make(offices["1001"], cast["counter"], n=881)
    person = employee_make(employer, 88, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    contribution_months_make(person, cast["counter"], last_period=datetime.date(2026, 10, 1), count=12)
    hospital_change(officer=cast["counter"], person=person, hospital=registered, valid_from=datetime.date(2024, 1, 1))
    return person, registered, other, BankFactory()


def test_a_medical_expenses_claim_is_recorded_with_its_receipts(live_server, signed_in, cast, setting, screenshot):
    from benefits.models import Claim, MedicalReceipt

    person, _registered, other, _bank = setting
    page = signed_in("counter", language="en")
    page.goto(f"{live_server.url}/benefits/persons/{person.pk}/claims/new/")
    click_and_wait(page, page.get_by_test_id("medical-claim-link"))
    page.select_option("#id_hospital", str(other.pk))
    page.select_option("#id_hospital_kind", "private")
    page.fill("#id_receipt-0-number", "R-100")
    page.select_option("#id_receipt-0-patient", "out")
    page.fill("#id_receipt-0-treated_on", TREATED.isoformat())
    page.fill("#id_receipt-0-care", "1500")
    page.fill("#id_receipt-1-number", "R-100")
    page.select_option("#id_receipt-1-patient", "out")
    page.fill("#id_receipt-1-treated_on", TREATED.isoformat())
    page.fill("#id_receipt-1-care", "200")
    press_and_wait(page, "Alt+s")
    assert "Receipt R-100 is entered twice." in page.inner_text("form .errors")
    assert not Claim.objects.exists() and not MedicalReceipt.objects.exists()
    screenshot(page, "medical-claim-refused")

    page.fill("#id_receipt-1-number", "R-101")
    page.select_option("#id_receipt-1-patient", "in")
    page.fill("#id_receipt-1-discharged_on", (TREATED + datetime.timedelta(days=1)).isoformat())
    page.fill("#id_receipt-1-room", "900")
    press_and_wait(page, "Alt+s")
    claim = Claim.objects.get()
    assert messages_text(page) == "Claim recorded and examined."
    # 1,500 capped at 1,000 a visit; care 200 and room 900 capped at 700 for 1 day: 900.
    assert (claim.benefit, claim.amount) == ("medical", D("1900.00"))
    body = page.inner_text("main")
    assert "at most THB 1,000.00 a visit" in body
    screenshot(page, "medical-claim-examined")


def test_a_hospital_request_is_checked_approved_by_another_officer_and_paid(
    live_server, signed_in, cast, setting, screenshot
):
    from benefits.models import HospitalRequest

    person, registered, other, bank = setting
    page = signed_in("verifier", language="en")
    page.goto(f"{live_server.url}/benefits/hospital-requests/")

    def fill(hospital, reference):
        page.select_option("#id_hospital", str(hospital.pk))
        page.fill("#id_reference", reference)
        page.fill("#id_period", "2026-11")
        page.select_option("#id_bank", str(bank.pk))
        page.fill("#id_account_number", "5550000099")
        page.fill("#id_account_name", "Hospital H20001")
        page.fill("#id_cases", f"{person.national_id},{TREATED.isoformat()},hemodialysis,3,5000")

    fill(other, "REQ-9")
    press_and_wait(page, "Alt+s")
    assert "was not registered with this hospital" in page.inner_text("[data-testid=hospital-request-form]")
    assert not HospitalRequest.objects.exists()
    fill(registered, "REQ-10")
    press_and_wait(page, "Alt+s")
    assert HospitalRequest.objects.exists(), page.inner_text("main")
    request = HospitalRequest.objects.get()
    assert messages_text(page) == "Request recorded: 1 cases."
    assert request.amount == D("4500.00")
    click_and_wait(page, page.get_by_role("button", name="Check (first step)"))
    assert page.get_by_role("button", name="Approve (second step)").count() == 0
    screenshot(page, "hospital-request-checked")

    boss = signed_in("supervisor", language="en")
    boss.goto(f"{live_server.url}/benefits/hospital-requests/{request.pk}/")
    click_and_wait(boss, boss.get_by_role("button", name="Approve (second step)"))
    assert messages_text(boss) == "The request is approved for payment."

    page.goto(f"{live_server.url}/benefits/hospital-requests/")
    page.select_option("#id_batch-bank", str(bank.pk))
    press_and_wait(page, "Alt+b")
    assert "/hospital-requests/batches/" in page.url
    with page.expect_download() as download:
        page.keyboard.press("Alt+f")
    with open(download.value.path(), encoding="utf-8", newline="") as file:
        assert f"D,{request.pk},5550000099,Hospital H20001,450000,SSH{request.pk}-202611" in file.read()
    press_and_wait(page, "Alt+s")
    page.set_input_files(
        "#id_file", {"name": "c.csv", "mimeType": "text/csv", "buffer": f"{request.pk},PAID,BK-1,\r\n".encode()}
    )
    press_and_wait(page, "Alt+i")
    assert messages_text(page) == "Confirmation imported: 1 paid, 0 failed, 0 already applied."
    request.refresh_from_db()
    assert request.status == "paid"
    screenshot(page, "hospital-batch-confirmed")
