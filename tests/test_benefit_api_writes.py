"""The claims API's writes (issue 20, part 1): a claim recorded, examined, decided and paid
through the API alone, with the back office's real worker verifying it; the decisions and
their refusals as on the pages (the four eyes of an override, the role, a refused attempt
kept); appeals; payment orders and batches; the idempotency key of a recorded claim."""

import datetime
import time
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from benefits.models import Appeal, Claim, ClaimAttempt, PaymentBatch, PaymentOrder
from sso.core.months import month_add, month_first
from tests.factories import BankAccountFactory, BankFactory, contribution_months_make, employee_make, employer_make

D = Decimal
PRESENTED = ["claim_form", "medical_certificate", "receipt"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _event():
    return timezone.localdate() - datetime.timedelta(days=3)


def _api(user) -> APIClient:
    """A client calling with the user's API token, in English."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _person(cast, offices, n, account="1234567890"):
    """Employed since 2024, 12 months paid at 15,000 baht before the event, a bank account."""
    employer = employer_make(offices["1001"], cast["counter"], n=n)
    person = employee_make(employer, n, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    contribution_months_make(
        person, cast["counter"], last_period=month_add(month_first(_event()), -1), count=12, employer=employer
    )
    if account:
        BankAccountFactory(person=person, account_number=account, bank=BankFactory())
    return person


def _record(client, person, /, **fields):
    body = {
        "person": person.pk,
        "benefit": "sickness",
        "event_date": _event().isoformat(),
        "details": {"days_off": 5},
        "presented": PRESENTED,
    } | fields
    return client.post("/api/benefits/claims/", body, format="json")


def _post(client, url, body=None):
    return client.post(url, body or {}, format="json")


# From record to paid --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_claim_goes_from_record_to_paid_through_the_api_alone(reference_rules, cast, offices, celery_worker_process):
    counter, verifier = _api(cast["counter"]), _api(cast["verifier"])
    person = _person(cast, offices, 841)

    recorded = _record(counter, person)
    assert recorded.status_code == 201, recorded.json()
    claim = recorded.json()
    assert (claim["status"], claim["replayed"]) == ("recorded", False)
    assert {d["code"]: d["state"] for d in claim["documents"]}["medical_certificate"] == "presented"
    url = f"/api/benefits/claims/{claim['id']}/"

    examined = _post(counter, url + "examine/").json()
    assert (examined["status"], examined["eligible"]) == ("examined", True)
    # 50% of the daily wage (15,000 / 30 = 500 baht) for 5 days off: 5 x 250.
    assert D(examined["amount"]) == D("1250.00")
    assert any("250" in line["en"] for line in examined["working"])

    approved = _post(counter, url + "decide/", {"decision": "approve"})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"] == "counter"

    # The back office's worker verifies the claim (a real Celery worker): its order is released.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        orders = counter.get(url).json()["payment_orders"]
        if orders and orders[0]["status"] == "pending":
            break
        time.sleep(0.2)
    assert [(o["amount"], o["method"], o["bank"], o["status"]) for o in orders] == [
        ("1250.00", "transfer", "002", "pending")
    ]

    batch = _post(verifier, "/api/benefits/payment-batches/", {"bank": "002", "pay_on": timezone.localdate()})
    assert batch.status_code == 201, batch.json()
    batch = batch.json()
    assert (batch["order_count"], batch["total"], batch["orders"][0]["status"]) == (1, "1250.00", "in_batch")
    order_id = batch["orders"][0]["id"]
    batch_url = f"/api/benefits/payment-batches/{batch['id']}/"

    bank_file = verifier.get(batch_url + "file/")
    assert bank_file.status_code == 200 and bank_file["Content-Type"].startswith("text/csv")
    assert bank_file.content.decode().splitlines()[1].startswith(f"D,{order_id},1234567890,")
    assert _post(verifier, batch_url + "sent/").json()["status"] == "sent"

    confirmed = _post(verifier, batch_url + "confirmation/", {"content": f"{order_id},PAID,BANKREF-841,\r\n"})
    assert confirmed.status_code == 200, confirmed.json()
    assert (confirmed.json()["paid"], confirmed.json()["batch"]["status"]) == (1, "confirmed")
    paid = counter.get(url).json()
    assert paid["status"] == "paid"
    assert [step["to_status"] for step in paid["steps"]] == ["recorded", "examined", "approved", "paid"]
    assert paid["payment_orders"][0]["bank_reference"] == "BANKREF-841"


# Decisions --------------------------------------------------------------------------------


@pytest.fixture
def examined(cast, offices):
    person = _person(cast, offices, 842)
    claim = _record(_api(cast["counter"]), person).json()
    return _post(_api(cast["counter"]), f"/api/benefits/claims/{claim['id']}/examine/").json()


@pytest.fixture
def missing(cast, offices):
    """An examined claim with the medical certificate missing: approving it is an override."""
    person = _person(cast, offices, 843)
    claim = _record(_api(cast["counter"]), person, presented=["claim_form"]).json()
    return _post(_api(cast["counter"]), f"/api/benefits/claims/{claim['id']}/examine/").json()


def test_a_claim_with_a_document_missing_is_refused_a_plain_approval_in_both_languages(missing, cast):
    answer = _post(_api(cast["counter"]), f"/api/benefits/claims/{missing['id']}/decide/", {"decision": "approve"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["field"] == "override_reason" and body["code"] == "override_reason"
    assert (
        body["detail_en"].startswith("The rules do not allow this approval") and body["detail_th"] != body["detail_en"]
    )
    assert Claim.objects.get(pk=missing["id"]).status == Claim.Status.EXAMINED
    # The refusal is kept as an attempt, as on the page.
    assert ClaimAttempt.objects.filter(claim_id=missing["id"], code="override_reason").count() == 1


def test_an_override_needs_the_supervisors_password_and_is_confirmed_by_them(missing, cast):
    client = _api(cast["counter"])
    url = f"/api/benefits/claims/{missing['id']}/decide/"
    override = {
        "decision": "override",
        "override_reason": "The certificate was seen by phone",
        "supervisor": "supervisor",
    }
    wrong = _post(client, url, override | {"supervisor_password": "wrong"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "supervisor_password"
    assert Claim.objects.get(pk=missing["id"]).status == Claim.Status.EXAMINED
    # A second officer without the permission to confirm is no supervisor.
    not_one = _post(client, url, override | {"supervisor": "verifier", "supervisor_password": "correct-horse-battery"})
    assert not_one.status_code == 400 and not_one.json()["field"] == "supervisor"
    done = _post(client, url, override | {"supervisor_password": "correct-horse-battery"})
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["override_confirmed_by"]) == ("approved", "supervisor")
    assert done.json()["override_reason"] == "The certificate was seen by phone"


def test_an_override_without_the_role_is_403_and_kept_as_an_attempt(missing, cast, offices):
    # A national supervisor sees claims but may not decide them.
    client = _api(cast["national"])
    body = {"decision": "override", "override_reason": "x", "supervisor": "supervisor", "supervisor_password": "x"}
    answer = _post(client, f"/api/benefits/claims/{missing['id']}/decide/", body)
    assert answer.status_code == 403 and set(answer.json()) >= {"code", "detail_th", "detail_en"}
    assert ClaimAttempt.objects.get(claim_id=missing["id"]).action == ClaimAttempt.Action.OVERRIDE


def test_refer_reject_and_withdraw_as_on_the_pages(examined, cast):
    client = _api(cast["counter"])
    url = f"/api/benefits/claims/{examined['id']}/"
    no_note = _post(client, url + "refer/", {"note": ""})
    assert no_note.status_code == 400 and no_note.json()["field"] == "note"
    referred = _post(client, url + "refer/", {"note": "Check the hospital's certificate"}).json()
    assert referred["status"] == "referred"
    rejected = _post(_api(cast["verifier"]), url + "decide/", {"decision": "reject", "note": "Not treated that day"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["decision_note"] == "Not treated that day"
    withdrawn = _post(client, url + "withdraw/", {"note": "The person asked"}).json()
    assert withdrawn["status"] == "withdrawn"
    # Withdrawn moves no more: refused with the lifecycle's reason.
    again = _post(client, url + "examine/")
    assert again.status_code == 400 and again.json()["field"] == "status"


def test_documents_brought_later_are_presented_and_the_claim_examined_again(missing, cast):
    url = f"/api/benefits/claims/{missing['id']}/"
    assert any("Document missing" in line["en"] for line in missing["working"])
    body = _post(_api(cast["counter"]), url + "documents/", {"codes": ["medical_certificate", "receipt"]}).json()
    assert {d["code"]: d["state"] for d in body["documents"]}["medical_certificate"] == "presented"
    assert not any("Document missing" in line["en"] for line in body["working"])


def test_bad_input_is_refused_naming_the_field_and_stores_nothing(cast, offices):
    person = _person(cast, offices, 844)
    client = _api(cast["counter"])
    cases = [
        ({"benefit": "dental", "details": {}}, "details.amount"),
        ({"details": {}}, "details.days_off"),
        ({"event_date": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()}, "event_date"),
        ({"presented": ["no_such_document"]}, "presented"),
        ({"person": 10**12}, "person"),
        ({"dependant": 10**12}, "dependant"),
    ]
    for fields, field in cases:
        answer = _record(client, person, **fields)
        assert answer.status_code == 400, (fields, answer.json())
        assert answer.json()["field"] == field and answer.json()["detail_th"], fields
    assert not Claim.objects.exists()
    # The same event twice: the second is refused as a duplicate.
    assert _record(client, person).status_code == 201
    duplicate = _record(client, person)
    assert (duplicate.status_code, duplicate.json()["code"]) == (400, "duplicate")
    assert Claim.objects.count() == 1


def test_an_idempotency_key_records_a_claim_once(cast, offices):
    person = _person(cast, offices, 845)
    client = _api(cast["counter"])
    first = client.post(
        "/api/benefits/claims/",
        {"person": person.pk, "benefit": "sickness", "event_date": _event().isoformat(), "details": {"days_off": 5}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="HOSP-0001",
    )
    assert first.status_code == 201
    again = _record(client, person, idempotency_key="HOSP-0001")
    assert (again.status_code, again.json()["id"], again.json()["replayed"]) == (200, first.json()["id"], True)
    other = _record(client, person, benefit="dental", details={"amount": "500"}, idempotency_key="HOSP-0001")
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_conflict")
    assert Claim.objects.count() == 1


def test_another_offices_claim_is_404_for_every_action(examined, cast):
    client = _api(cast["other_supervisor"])
    for action in ("examine", "refer", "decide", "withdraw", "appeals", "documents"):
        assert _post(client, f"/api/benefits/claims/{examined['id']}/{action}/").status_code in (403, 404), action
    assert client.get(f"/api/benefits/claims/{examined['id']}/").status_code == 404


# Appeals ----------------------------------------------------------------------------------


def test_an_appeal_against_a_rejection_is_lodged_and_upheld_through_the_api(examined, cast):
    url = f"/api/benefits/claims/{examined['id']}/"
    _post(_api(cast["verifier"]), url + "decide/", {"decision": "reject", "note": "Not treated that day"})
    lodged = _post(_api(cast["counter"]), url + "appeals/", {"grounds": "The hospital confirms it"})
    assert lodged.status_code == 201 and lodged.json()["status"] == "lodged"
    appeal_url = f"/api/benefits/appeals/{lodged.json()['id']}/"
    assert _api(cast["supervisor"]).get("/api/benefits/appeals/", {"status": "lodged"}).json()["count"] == 1
    # The verifier decided the claim: another officer decides the appeal.
    own = _post(_api(cast["verifier"]), appeal_url + "decide/", {"decision": "uphold", "note": "x"})
    assert own.status_code in (400, 403)
    upheld = _post(_api(cast["supervisor"]), appeal_url + "decide/", {"decision": "uphold", "note": "Certificate seen"})
    assert upheld.status_code == 200 and upheld.json()["status"] == "upheld"
    claim = _api(cast["counter"]).get(url).json()
    assert claim["status"] == "approved" and claim["appeals"][0]["status"] == "upheld"
    assert [o["amount"] for o in claim["payment_orders"]] == ["1250.00"]


def test_an_appeal_is_withdrawn_at_the_persons_request(examined, cast):
    url = f"/api/benefits/claims/{examined['id']}/"
    _post(_api(cast["verifier"]), url + "decide/", {"decision": "reject", "note": "Not treated that day"})
    appeal = _post(_api(cast["counter"]), url + "appeals/", {"grounds": "The hospital confirms it"}).json()
    done = _post(_api(cast["counter"]), f"/api/benefits/appeals/{appeal['id']}/withdraw/", {"note": "Changed mind"})
    assert done.json()["status"] == "withdrawn"
    assert Appeal.objects.get().status == Appeal.Status.WITHDRAWN


# Paying -----------------------------------------------------------------------------------


def test_orders_are_paid_at_the_office_cancelled_and_refused_as_on_the_pages(cast, offices):
    person = _person(cast, offices, 846, account=None)
    client = _api(cast["counter"])
    # No account on record: the bank book is presented, and the benefit is paid at the office.
    claim = _record(client, person, presented=[*PRESENTED, "bank_book"]).json()
    _post(client, f"/api/benefits/claims/{claim['id']}/examine/")
    _post(client, f"/api/benefits/claims/{claim['id']}/decide/", {"decision": "approve"})
    order = PaymentOrder.objects.get(claim_id=claim["id"])
    assert (order.method, order.status) == (PaymentOrder.Method.CASH, PaymentOrder.Status.HELD)
    verifier = _api(cast["verifier"])
    # Held while the back office has not verified the claim: not paid at the office.
    held = _post(verifier, f"/api/benefits/payment-orders/{order.pk}/pay/", {"method": "cash", "reference": "R-1"})
    assert held.status_code == 400 and held.json()["field"] == "status"
    listed = verifier.get("/api/benefits/payment-orders/", {"claim": claim["id"], "status": "held"}).json()
    assert [row["id"] for row in listed["results"]] == [order.pk]
    # The counter officer reads claims but not the payments.
    assert client.get("/api/benefits/payment-orders/").status_code == 403
    no_reason = _post(verifier, f"/api/benefits/payment-orders/{order.pk}/cancel/", {"reason": ""})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    cancelled = _post(verifier, f"/api/benefits/payment-orders/{order.pk}/cancel/", {"reason": "Paid twice"})
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["failure_reason"] == "Paid twice"


def test_a_batch_with_nothing_to_pay_and_a_bad_confirmation_store_nothing(cast, offices):
    verifier = _api(cast["verifier"])
    empty = _post(verifier, "/api/benefits/payment-batches/", {"bank": "002", "pay_on": "2026-03-25"})
    assert empty.status_code == 400 and empty.json()["field"] == "bank"
    unknown = _post(verifier, "/api/benefits/payment-batches/", {"bank": "999", "pay_on": "2026-03-25"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "bank"
    assert not PaymentBatch.objects.exists()
    # The supervisor reads the batches but does not make them.
    assert _post(_api(cast["supervisor"]), "/api/benefits/payment-batches/", {"bank": "002"}).status_code == 403

    person = _person(cast, offices, 847)
    client = _api(cast["counter"])
    claim = _record(client, person).json()
    _post(client, f"/api/benefits/claims/{claim['id']}/examine/")
    _post(client, f"/api/benefits/claims/{claim['id']}/decide/", {"decision": "approve"})
    Claim.objects.filter(pk=claim["id"]).update(verification=Claim.Verification.CLEAR)
    PaymentOrder.objects.filter(claim_id=claim["id"]).update(status=PaymentOrder.Status.PENDING)
    batch = _post(verifier, "/api/benefits/payment-batches/", {"bank": "002", "pay_on": "2026-03-25"}).json()
    url = f"/api/benefits/payment-batches/{batch['id']}/"
    not_sent = _post(verifier, url + "confirmation/", {"content": "1,PAID,X,"})
    assert not_sent.status_code == 400 and not_sent.json()["errors"][0]["line"] == 0
    _post(verifier, url + "sent/")
    order_id = batch["orders"][0]["id"]
    bad = _post(verifier, url + "confirmation/", {"content": f"{order_id},PAID,,\r\n999999,PAID,R2,\r\n"})
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert [error["line"] for error in errors] == [1, 2]
    assert errors[0]["detail_en"] == "A paid line needs the bank reference." and errors[0]["detail_th"]
    assert PaymentOrder.objects.get(pk=order_id).status == PaymentOrder.Status.IN_BATCH


def test_the_claim_shows_its_adjustment_orders_and_overpayments(cast, offices, client_for):
    """Part 2 through the API: an appeal upheld at a lower amount (600 paid, 500 due)."""
    from benefits import payments

    person = _person(cast, offices, 848, account=None)
    client = _api(cast["counter"])
    claim = _record(client, person, presented=[*PRESENTED, "bank_book"]).json()
    _post(client, f"/api/benefits/claims/{claim['id']}/examine/")
    # Approved at 1,500 (an earlier rate), paid at the office; the rules give 1,250.
    Claim.objects.filter(pk=claim["id"]).update(amount=D("1500.00"), verification=Claim.Verification.CLEAR)
    _post(client, f"/api/benefits/claims/{claim['id']}/decide/", {"decision": "approve"})
    order = PaymentOrder.objects.get(claim_id=claim["id"])
    payments.order_pay_at_office(order=order, officer=cast["verifier"], method="cash", reference="R-848")
    lodged = _post(client, f"/api/benefits/claims/{claim['id']}/appeals/", {"grounds": "Check the amount"}).json()
    decide = f"/api/benefits/appeals/{lodged['id']}/decide/"
    assert _post(_api(cast["supervisor"]), decide, {"decision": "uphold", "note": "x"}).status_code == 200
    body = client.get(f"/api/benefits/claims/{claim['id']}/").json()
    assert body["amount"] == "1250.00"
    # Paid 1,500, due 1,250: 250 to recover, nothing yet to withhold it from.
    assert [(r["paid"], r["due"], r["amount"], r["recovered"]) for r in body["recoveries"]] == [
        ("1500.00", "1250.00", "250.00", "0.00")
    ]
    assert body["recoveries"][0]["reason"]["en"].endswith("paid THB 1,500.00, due THB 1,250.00.")
    assert [(o["kind"], o["amount"], o["withheld"]) for o in body["payment_orders"]] == [("payment", "1500.00", "0.00")]
