"""The medical processes (issue 20, part 4): medical expenses reimbursed to the insured person
(receipts capped by the dated limits, the working shown, paid as every claim) and hospitals'
high-cost requests (checked against the registry and the tariff, approved by two officers,
paid by bank batch). Bad input stores nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from benefits import medical, services
from benefits.medical import CaseInput, ReceiptInput
from benefits.models import Claim, HospitalBatch, HospitalCase, HospitalRequest, MedicalReceipt
from registry.models import Bank
from registry.services import hospital_change
from tests.factories import HospitalFactory, contribution_months_make, employee_make, employer_make

D = Decimal
TREATED = datetime.date(2026, 11, 10)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def hospitals(db):
    return HospitalFactory(code="H10001"), HospitalFactory(code="H10002")


@pytest.fixture
def person(cast, offices, hospitals):
    registered, _other = hospitals
    employer = employer_make(offices["1001"], cast["counter"], n=871)
    person = employee_make(employer, 87, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    contribution_months_make(person, cast["counter"], last_period=datetime.date(2026, 10, 1), count=12)
    hospital_change(officer=cast["counter"], person=person, hospital=registered, valid_from=datetime.date(2024, 1, 1))
    return person


def _record(person, cast, hospital, kind, receipts):
    return medical.medical_claim_record(
        officer=cast["counter"], person=person, hospital=hospital, hospital_kind=kind, receipts=receipts
    )


def test_a_private_hospital_s_receipts_are_capped_per_item_with_the_working(person, cast, hospitals):
    _registered, other = hospitals
    receipts = [
        ReceiptInput(number="A-1", patient="out", treated_on=TREATED, care=D("1500")),
        ReceiptInput(
            number="A-2",
            patient="in",
            treated_on=TREATED,
            discharged_on=TREATED + datetime.timedelta(days=2),
            care=D("5000"),
            room=D("3000"),
            icu=D("6000"),
            icu_days=1,
            surgery=D("20000"),
            surgery_minutes=90,
        ),
    ]
    claim = _record(person, cast, other, "private", receipts)
    # Out-patient: 1,000 a visit. In-patient, 2 days (within the 3 emergency days): care 2,000
    # a day (4,000), room 700 a day (1,400), ICU 4,500 a day (1 day), surgery of 90 min 12,000.
    assert (claim.status, claim.eligible, claim.amount) == ("examined", True, D("22900.00"))
    allowed = dict(MedicalReceipt.objects.filter(claim=claim).values_list("number", "allowed"))
    assert allowed == {"A-1": D("1000.00"), "A-2": D("21900.00")}
    working = " ".join(line["en"] for line in claim.working)
    assert "at most THB 1,000.00 a visit: THB 1,000.00" in working
    assert "surgery: THB 20,000.00 paid" in working and "at most THB 12,000.00" in working
    assert claim.history.count() >= 1 and MedicalReceipt.history.count() == 2


def test_a_longer_admission_counts_its_emergency_days_only(person, cast, hospitals):
    _registered, other = hospitals
    receipt = ReceiptInput(
        number="P-1",
        patient="in",
        treated_on=TREATED,
        discharged_on=TREATED + datetime.timedelta(days=6),
        care=D("6000"),
        room=D("1200"),
    )
    claim = _record(person, cast, other, "public", [receipt])
    # Public: as paid, prorated to 3 of 6 days: care 3,000; room 600 (under 700 x 3).
    assert claim.amount == D("3600.00")


def test_the_registered_hospital_is_not_reimbursed(person, cast, hospitals):
    registered, _other = hospitals
    claim = _record(person, cast, registered, "public", [ReceiptInput("R-1", "out", TREATED, care=D("500"))])
    assert (claim.eligible, claim.refusal_code) == (False, "registered_hospital")


@pytest.mark.parametrize(
    "receipts, code",
    [
        (
            [ReceiptInput("X-1", "out", TREATED, care=D("500")), ReceiptInput("X-1", "out", TREATED, care=D("9"))],
            "duplicate",
        ),
        ([ReceiptInput("X-2", "out", TREATED, room=D("500"))], "outpatient_items"),
        (
            [ReceiptInput("X-3", "in", TREATED, discharged_on=TREATED - datetime.timedelta(days=1), care=D("1"))],
            "dates",
        ),
        ([ReceiptInput("X-4", "out", TREATED)], "amount"),
    ],
)
def test_bad_receipts_are_refused_and_nothing_is_stored(person, cast, hospitals, receipts, code):
    _registered, other = hospitals
    with pytest.raises(ValidationError) as refused:
        _record(person, cast, other, "private", receipts)
    assert refused.value.error_dict["receipts"][0].code == code
    assert not Claim.objects.exists() and not MedicalReceipt.objects.exists()


def test_a_receipt_already_claimed_is_refused_with_its_claim(person, cast, hospitals):
    _registered, other = hospitals
    first = _record(person, cast, other, "private", [ReceiptInput("D-1", "out", TREATED, care=D("800"))])
    later = TREATED + datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        _record(person, cast, other, "private", [ReceiptInput("D-1", "out", later, care=D("800"))])
    assert f"already claimed (claim {first.pk})" in str(refused.value)
    assert Claim.objects.count() == 1 and MedicalReceipt.objects.count() == 1


def test_an_approved_medical_claim_is_paid_like_every_claim(person, cast, hospitals):
    _registered, other = hospitals
    claim = medical.medical_claim_record(
        officer=cast["counter"],
        person=person,
        hospital=other,
        hospital_kind="private",
        receipts=[ReceiptInput("Q-1", "out", TREATED, care=D("900"))],
        presented=["claim_form", "receipt", "medical_certificate", "bank_book"],
    )
    claim = services.claim_adjudicate(claim=claim, officer=cast["counter"], approve=True)
    (order,) = claim.payment_orders.all()
    assert (claim.status, order.amount) == ("approved", D("900.00"))


# High-cost care paid to hospitals -----------------------------------------------------------


@pytest.fixture
def bank(db):
    return Bank.objects.get(code="002")


def _request(cast, hospital, bank, cases, reference="REQ-1"):
    return medical.hospital_request_record(
        officer=cast["verifier"],
        hospital=hospital,
        reference=reference,
        period=TREATED,
        bank=bank,
        account_number="123-4-56789-0",
        account_name="Hospital H10001",
        cases=cases,
    )


def test_a_hospital_request_is_priced_by_the_tariff_approved_by_two_officers_and_paid(person, cast, hospitals, bank):
    registered, _other = hospitals
    cases = [
        CaseInput(person.national_id, TREATED, "hemodialysis", D("3"), D("5000")),
        CaseInput(person.national_id, TREATED, "adj_rw", D("2.5"), D("20000")),
    ]
    request = _request(cast, registered, bank, cases)
    # 3 sessions x 1,500 = 4,500 (5,000 asked); 2.5 adjRW x 12,000 = 30,000 (20,000 asked).
    assert (request.status, request.asked, request.amount) == ("recorded", D("25000.00"), D("24500.00"))
    assert request.cases.get(treatment="hemodialysis").working == [
        "3 x THB 1,500.00 (hemodialysis) = THB 4,500.00; THB 5,000.00 asked: THB 4,500.00."
    ]
    with pytest.raises(ValidationError):  # the second step before the first
        medical.hospital_request_approve(request=request, officer=cast["supervisor"])
    medical.hospital_request_check(request=request, officer=cast["verifier"])
    with pytest.raises(ValidationError) as refused:  # four eyes: the checker cannot approve
        medical.hospital_request_approve(request=request, officer=cast["verifier"])
    assert refused.value.error_dict["status"][0].code in ("permission", "four_eyes")
    medical.hospital_request_approve(request=request, officer=cast["supervisor"])
    request.refresh_from_db()
    assert (request.status, request.checked_by, request.approved_by) == (
        "approved",
        cast["verifier"],
        cast["supervisor"],
    )
    batch = medical.hospital_batch_make(
        office=cast["verifier"].office, bank=bank, pay_on=timezone.localdate(), officer=cast["verifier"]
    )
    lines = medical.hospital_batch_file(batch).decode().split("\r\n")
    assert lines[1] == f"D,{request.pk},1234567890,Hospital H10001,2450000,SSH{request.pk}-202611"
    medical.hospital_batch_send(batch=batch, officer=cast["verifier"])
    result = medical.hospital_confirmation_import(
        batch=batch, content=f"{request.pk},PAID,BANK-77,\r\n".encode(), officer=cast["verifier"]
    )
    request.refresh_from_db()
    batch.refresh_from_db()
    assert (result.paid, request.status, request.bank_reference, batch.status) == (1, "paid", "BANK-77", "confirmed")


def test_a_case_of_a_person_not_registered_there_stores_nothing(person, cast, hospitals, bank):
    _registered, other = hospitals
    with pytest.raises(ValidationError) as refused:
        _request(cast, other, bank, [CaseInput(person.national_id, TREATED, "hemodialysis", D("1"), D("1500"))])
    assert refused.value.error_dict["cases"][0].code == "not_registered"
    assert "Case 1:" in str(refused.value) and "was not registered with this hospital" in str(refused.value)
    assert not HospitalRequest.objects.exists() and not HospitalCase.objects.exists()


def test_an_unpriced_treatment_and_a_case_requested_twice_are_refused(person, cast, hospitals, bank):
    registered, _other = hospitals
    with pytest.raises(ValidationError) as refused:
        _request(cast, registered, bank, [CaseInput(person.national_id, TREATED, "heart_transplant", D("1"), D("9"))])
    assert refused.value.error_dict["cases"][0].code == "tariff"
    case = CaseInput(person.national_id, TREATED, "hemodialysis", D("1"), D("1500"))
    _request(cast, registered, bank, [case])
    with pytest.raises(ValidationError) as refused:
        _request(cast, registered, bank, [case], reference="REQ-2")
    assert refused.value.error_dict["cases"][0].code == "duplicate"
    assert HospitalRequest.objects.count() == 1 and not HospitalBatch.objects.exists()


def test_the_refusals_read_in_thai_on_thai_screens(person, cast, hospitals):
    _registered, other = hospitals
    receipts = [ReceiptInput("T-1", "out", TREATED, care=D("5")), ReceiptInput("T-1", "out", TREATED, care=D("5"))]
    with translation.override("th"), pytest.raises(ValidationError) as refused:
        _record(person, cast, other, "private", receipts)
    with translation.override("th"):
        assert "ใบเสร็จเลขที่ T-1 กรอกซ้ำ" in str(refused.value.messages)


def test_the_hospital_requests_page_takes_a_fixed_number_of_queries(
    person, cast, hospitals, bank, client_for, django_assert_max_num_queries
):
    registered, _other = hospitals
    for n in range(3):
        day = TREATED - datetime.timedelta(days=n)
        _request(
            cast, registered, bank, [CaseInput(person.national_id, day, "hemodialysis", D("1"), D("1500"))], f"Q{n}"
        )
    client = client_for(cast["verifier"])
    client.get("/benefits/hospital-requests/")
    with django_assert_max_num_queries(14):  # the session, the user and menu, the requests, batches, banks, hospitals
        body = client.get("/benefits/hospital-requests/").content.decode()
    assert body.count("data-request=") == 3
    detail = client.get(f"/benefits/hospital-requests/{HospitalRequest.objects.first().pk}/")
    assert detail.status_code == 200 and b"hemodialysis" in detail.content


def test_the_counter_claim_form_sends_medical_expenses_to_their_own_page(person, cast, client_for):
    client = client_for(cast["counter"])
    response = client.post(
        f"/benefits/persons/{person.pk}/claims/new/",
        {"benefit": "medical", "event_date": "10/11/2569"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and not Claim.objects.exists()
    assert f"/benefits/persons/{person.pk}/medical/new/" in response.content.decode()
