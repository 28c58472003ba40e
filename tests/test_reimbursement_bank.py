"""Reimbursements of overpaid contributions paid through the bank: the same batch file and
confirmation import as benefits' payment orders (sso.core.payouts), returned transfers queued
again to a corrected account or cancelled, and the pages of a bank batch."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from contributions import services
from contributions.models import Reimbursement, ReimbursementBatch
from registry.models import Bank
from tests.factories import BankAccountFactory
from tests.test_contributions_backoffice import requested, two_employers  # noqa: F401 - fixtures

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def bank(db):
    return Bank.objects.get(code="002")


@pytest.fixture
def approved(requested, cast, bank):  # noqa: F811 - the fixture imported above
    """The person's excess to their open account; the employer's double payment to the
    account the verifier typed."""
    verifier = cast["verifier"]
    above, twice = requested
    BankAccountFactory(person=above.person, bank=bank, account_number="1234567890", account_name="Person One")
    services.reimbursement_approve(reimbursement=above, officer=verifier)
    services.reimbursement_approve(
        reimbursement=twice, officer=verifier, bank=bank, account_number="111-2-22333-4", account_name="=Firm Ltd"
    )
    above.refresh_from_db()
    twice.refresh_from_db()
    return above, twice


def test_approval_takes_the_account_given_or_the_persons_open_account(approved, bank):
    above, twice = approved
    assert (above.bank_id, above.account_number, above.account_name) == (bank.pk, "1234567890", "Person One")
    assert (twice.bank_id, twice.account_number, twice.account_name) == (bank.pk, "1112223334", "=Firm Ltd")
    assert twice.history.first().history_type == "~"


def test_a_wrong_account_number_is_refused_and_nothing_is_stored(requested, cast, bank):  # noqa: F811
    _above, twice = requested
    with pytest.raises(ValidationError) as refused:
        services.reimbursement_approve(
            reimbursement=twice, officer=cast["verifier"], bank=bank, account_number="123", account_name="Firm"
        )
    assert "account_number" in refused.value.error_dict
    twice.refresh_from_db()
    assert (twice.status, twice.bank_id) == ("requested", None)


def _batch_sent(cast, bank):
    verifier = cast["verifier"]
    batch = services.reimbursement_batch_create(
        office=verifier.office, officer=verifier, bank=bank, pay_on=timezone.localdate()
    )
    return batch, verifier


def test_a_bank_batch_writes_the_benefits_layout_and_neutralises_formulas(approved, cast, bank):
    above, twice = approved
    batch, verifier = _batch_sent(cast, bank)
    assert (batch.status, batch.total, batch.bank_id) == ("open", D("1875.00"), bank.pk)
    assert set(Reimbursement.objects.values_list("status", flat=True)) == {"in_batch"}
    lines = services.reimbursement_batch_file(batch).decode().split("\r\n")
    period = f"{above.period:%Y%m}"
    assert lines[0] == f"H,002,{timezone.localdate():%Y%m%d},{batch.pk},2,187500"
    assert lines[1] == f"D,{above.pk},1234567890,Person One,37500,SSR{above.pk}-{period}"
    assert lines[2] == f"D,{twice.pk},1112223334,'=Firm Ltd,150000,SSR{twice.pk}-{period}"
    with pytest.raises(ValidationError):
        services.reimbursement_batch_pay(batch=batch, officer=verifier)  # a bank batch is not paid by hand


def test_the_confirmation_pays_returns_and_is_idempotent(approved, cast, bank):
    above, twice = approved
    batch, verifier = _batch_sent(cast, bank)
    early = services.reimbursement_confirmation_import(batch=batch, content=b"1,PAID,X", officer=verifier)
    assert early.errors and not early.paid
    services.reimbursement_batch_send(batch=batch, officer=verifier)
    content = f"order_id,status,reference,reason\r\n{above.pk},PAID,BBL-1,\r\n{twice.pk},FAILED,,Account closed\r\n"
    result = services.reimbursement_confirmation_import(batch=batch, content=content.encode(), officer=verifier)
    assert (result.paid, result.failed, result.errors) == (1, 1, [])
    above.refresh_from_db()
    twice.refresh_from_db()
    batch.refresh_from_db()
    assert (above.status, above.bank_reference, twice.status, twice.failure_reason) == (
        "paid",
        "BBL-1",
        "failed",
        "Account closed",
    )
    assert above.paid_at is not None and above.history.first().history_user == verifier
    assert batch.status == "confirmed"
    again = services.reimbursement_confirmation_import(batch=batch, content=content.encode(), officer=verifier)
    assert (again.paid, again.failed, again.unchanged) == (0, 0, 2)
    # The back office's report counts the one paid by the bank today and the returned one.
    from contributions.selectors import reimbursements_summary

    today = timezone.localdate()
    summary = {row["status"]: (row["n"], row["total"]) for row in reimbursements_summary(first=today, last=today)}
    assert summary == {"paid": (1, D("375.00")), "failed": (1, D("1500.00"))}


def test_a_confirmation_with_a_bad_line_stores_nothing(approved, cast, bank):
    above, twice = approved
    batch, verifier = _batch_sent(cast, bank)
    services.reimbursement_batch_send(batch=batch, officer=verifier)
    content = f"{above.pk},PAID,BBL-1\r\n{twice.pk},PAID,\r\n999999,PAID,Z\r\n".encode()
    result = services.reimbursement_confirmation_import(batch=batch, content=content, officer=verifier)
    assert [number for number, _message in result.errors] == [2, 3]
    assert set(Reimbursement.objects.values_list("status", flat=True)) == {"in_batch"}
    too_big = b"x" * (20 * 1024 * 1024)
    assert services.reimbursement_confirmation_import(batch=batch, content=too_big, officer=verifier).errors


def test_a_returned_transfer_is_queued_again_to_a_corrected_account_or_cancelled(approved, cast, bank):
    above, twice = approved
    batch, verifier = _batch_sent(cast, bank)
    services.reimbursement_batch_send(batch=batch, officer=verifier)
    content = f"{above.pk},FAILED,,Closed\r\n{twice.pk},FAILED,,Wrong name\r\n".encode()
    services.reimbursement_confirmation_import(batch=batch, content=content, officer=verifier)
    with pytest.raises(ValidationError):
        services.reimbursement_requeue(
            reimbursement=twice, officer=verifier, bank=bank, account_number="12", account_name="Firm"
        )
    services.reimbursement_requeue(
        reimbursement=twice, officer=verifier, bank=bank, account_number="9999999999", account_name="Firm Ltd"
    )
    with pytest.raises(ValidationError):
        services.reimbursement_cancel(reimbursement=above, officer=verifier, reason=" ")
    services.reimbursement_cancel(reimbursement=above, officer=verifier, reason="Person abroad")
    above.refresh_from_db()
    twice.refresh_from_db()
    assert (twice.status, twice.batch_id, twice.account_number) == ("approved", None, "9999999999")
    assert (above.status, above.failure_reason) == ("cancelled", "Person abroad")
    second = services.reimbursement_batch_create(office=verifier.office, officer=verifier, bank=bank)
    assert list(second.reimbursements.all()) == [twice]


def test_the_pages_of_a_bank_batch(approved, cast, bank, client_for, settings):
    settings.LANGUAGE_CODE = "en"
    above, twice = approved
    client = client_for(cast["verifier"])
    today = timezone.localdate()
    response = client.post(
        "/contributions/reimbursements/batches/",
        {"bank": bank.pk, "pay_on": f"{today.day:02d}/{today.month:02d}/{today.year + 543}"},
    )
    batch = ReimbursementBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/contributions/reimbursements/batches/{batch.pk}/"
    page = client.get(f"/contributions/reimbursements/batches/{batch.pk}/").content.decode()
    assert f'data-reimbursement="{above.pk}"' in page
    file = client.get(f"/contributions/reimbursements/batches/{batch.pk}/file.csv")
    assert file.content.startswith(b"H,002,") and "sso-reimbursements-002" in file["Content-Disposition"]
    client.post(f"/contributions/reimbursements/batches/{batch.pk}/", {"action": "sent"})
    upload = SimpleUploadedFile("c.csv", f"{above.pk},PAID,R1\r\n{twice.pk},FAILED,,Closed\r\n".encode())
    client.post(f"/contributions/reimbursements/batches/{batch.pk}/", {"action": "confirm", "file": upload})
    batch.refresh_from_db()
    assert batch.status == "confirmed"
    returned = client.get("/contributions/reimbursements/returned/").content.decode()
    assert f'data-reimbursement="{twice.pk}"' in returned and f'data-reimbursement="{above.pk}"' not in returned
    client.post(f"/contributions/reimbursements/{twice.pk}/returned/", {"action": "cancel", "reason": "Gone"})
    twice.refresh_from_db()
    assert twice.status == "cancelled"
    other = client_for(cast["other_supervisor"])
    assert other.get(f"/contributions/reimbursements/batches/{batch.pk}/").status_code == 403  # no such right


def test_an_old_batch_paid_by_hand_still_works_for_cheques(requested, cast):  # noqa: F811
    above, _twice = requested
    verifier = cast["verifier"]
    services.reimbursement_approve(reimbursement=above, officer=verifier)
    batch = services.reimbursement_batch_create(office=verifier.office, officer=verifier)
    with pytest.raises(ValidationError):
        services.reimbursement_batch_send(batch=batch, officer=verifier)
    services.reimbursement_batch_pay(batch=batch, officer=verifier, paid_on=datetime.date.today())
    batch.refresh_from_db()
    assert (batch.status, batch.bank_id) == ("confirmed", None)
