"""Benefit claims: recording with the document checklist and the duplicate guard, examining
with the rules' working, and adjudicating with the four-eyes override."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from benefits import services
from benefits.models import Benefit, Claim, ClaimDocument, ClaimStep
from registry.models import Dependant
from tests.factories import BankAccountFactory, employee_make, employer_make

D = Decimal
TODAY = datetime.date(2026, 3, 20)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def person(cast, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=801)
    return employee_make(employer, 81, cast["counter"], started_on=datetime.date(2024, 1, 1)).person


def _record(person, cast, **kwargs):
    fields = {"benefit": Benefit.SICKNESS, "event_date": datetime.date(2026, 3, 2), "details": {"days_off": 10}}
    return services.claim_record(officer=cast["counter"], person=person, today=TODAY, **(fields | kwargs))


def test_recording_lists_the_documents_and_what_the_registry_already_holds(person, cast):
    BankAccountFactory(person=person, account_number="1234567890")
    claim = _record(person, cast, presented=["claim_form"])
    states = {document.requirement.code: document.state for document in claim.documents.all()}
    assert states == {
        "claim_form": ClaimDocument.State.PRESENTED,
        "medical_certificate": ClaimDocument.State.MISSING,
        "receipt": ClaimDocument.State.MISSING,
        "bank_book": ClaimDocument.State.ON_RECORD,
    }
    assert [r.code for r in services.missing_documents(claim)] == ["medical_certificate", "receipt"]
    assert list(ClaimStep.objects.filter(claim=claim).values_list("from_status", "to_status")) == [("", "recorded")]
    assert claim.history.first().history_user == cast["counter"]


def test_it_refuses_the_same_event_twice_a_future_date_and_a_death_claim_for_the_living(person, cast):
    _record(person, cast)
    with pytest.raises(ValidationError, match="already recorded"):
        _record(person, cast)
    with pytest.raises(ValidationError, match="future"):
        _record(person, cast, event_date=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="no death recorded"):
        _record(person, cast, benefit=Benefit.DEATH, event_date=datetime.date(2026, 3, 1))
    assert Claim.objects.count() == 1


def test_a_child_allowance_is_one_claim_per_child(person, cast):
    child = Dependant.objects.create(
        person=person,
        kind=Dependant.Kind.CHILD,
        first_name_th="ด.ช. หนึ่ง",
        last_name_th="ใจดี",
        birth_date=datetime.date(2024, 5, 1),
        birth_certificate_id="BC-1",
    )
    with pytest.raises(ValidationError, match="Choose the child"):
        _record(person, cast, benefit=Benefit.CHILD_ALLOWANCE)
    claim = _record(person, cast, benefit=Benefit.CHILD_ALLOWANCE, dependant=child)
    assert {d.requirement.code: d.state for d in claim.documents.all()}["birth_certificate"] == "on_record"
    with pytest.raises(ValidationError, match="already recorded"):
        _record(person, cast, benefit=Benefit.CHILD_ALLOWANCE, dependant=child, event_date=datetime.date(2026, 3, 5))


def test_child_allowance_re_examined_after_documents_does_not_count_later_or_refused_claims(person, cast):
    from tests.factories import contribution_months_make

    contribution_months_make(person, cast["counter"], last_period=datetime.date(2026, 2, 1), count=12)
    children = [
        Dependant.objects.create(
            person=person,
            kind=Dependant.Kind.CHILD,
            first_name_th=f"ด.ช. ลูก{n}",
            last_name_th="ใจดี",
            birth_date=datetime.date(2022, n, 1),
            birth_certificate_id=f"BC-{n}",
        )
        for n in (1, 2, 3, 4)
    ]
    claims = []
    for n, child in enumerate(children, 1):
        # The first child's claim is recorded with its documents missing; the others with all of them.
        presented = [] if n == 1 else ["claim_form", "bank_book"]
        claim = _record(person, cast, benefit=Benefit.CHILD_ALLOWANCE, dependant=child, presented=presented, details={})
        claims.append(services.claim_examine(claim=claim, officer=cast["counter"]))
    assert [claim.eligible for claim in claims] == [True, True, True, False]
    assert claims[3].refusal_code == "fourth_child"
    assert services.missing_documents(claims[0])
    # The documents of the first child brought later: examined again, still the first of three.
    codes = [requirement.code for requirement in services.missing_documents(claims[0])]
    services.claim_document_present(claim=claims[0], officer=cast["counter"], codes=codes)
    again = services.claim_examine(claim=claims[0], officer=cast["counter"])
    assert (again.eligible, again.refusal_code, again.amount) == (True, "", D("800.00"))
    # The fourth child's claim, refused, is rejected; a second look at the third changes nothing.
    assert services.claim_examine(claim=claims[2], officer=cast["counter"]).eligible is True


def test_the_completeness_panel_and_the_rules_agree_on_what_a_claim_needs(person, cast):
    from benefits.models import DocumentRequirement
    from registry import selectors as registry_selectors
    from tests.factories import contribution_months_make

    def sickness_lacks():
        page = registry_selectors.person_page_get(person.pk, cast["counter"])
        return registry_selectors.person_completeness(page).missing["Sickness"]

    contribution_months_make(person, cast["counter"], last_period=datetime.date(2026, 2, 1), count=3)
    BankAccountFactory(person=person, account_number="1234567890")
    assert not person.address and not person.hospital_registrations.filter(valid_to__isnull=True).exists()
    # No address and no hospital on record: the rules approve the sickness claim, and the panel lacks nothing.
    assert sickness_lacks() == []
    claim = _record(person, cast, presented=["claim_form", "medical_certificate", "receipt"])
    claim = services.claim_examine(claim=claim, officer=cast["counter"])
    assert claim.eligible is True and services.claim_is_clear_cut(claim)
    # A document the administrator adds, which the registered hospital may stand for: the panel follows.
    DocumentRequirement.objects.create(
        benefit=Benefit.SICKNESS,
        code="referral",
        name_th="หนังสือส่งตัว",
        name_en="Referral letter",
        registry_fact=DocumentRequirement.RegistryFact.HOSPITAL,
        order=5,
        valid_from=datetime.date(1991, 1, 1),
    )
    assert sickness_lacks() == ["a registered hospital"]


def _examined(claim, eligible=True, amount="2500.00"):
    claim.status = Claim.Status.EXAMINED
    claim.eligible = eligible
    claim.amount = D(amount) if amount is not None else None
    claim.save()
    claim.documents.update(state=ClaimDocument.State.PRESENTED)
    return claim


def test_a_clear_cut_claim_is_approved_at_the_counter(person, cast):
    claim = _examined(_record(person, cast))
    assert services.claim_is_clear_cut(claim)
    services.claim_adjudicate(claim=claim, officer=cast["counter"], approve=True)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED and claim.adjudicated_by == cast["counter"]
    assert list(claim.steps.values_list("to_status", flat=True)) == ["recorded", "approved"]


def test_approving_against_the_rules_needs_a_reason_and_a_supervisor(person, cast):
    claim = _examined(_record(person, cast), eligible=False)
    with pytest.raises(ValidationError, match="reason for the override"):
        services.claim_adjudicate(claim=claim, officer=cast["counter"], approve=True)
    with pytest.raises(ValidationError, match="second officer"):
        services.claim_adjudicate(
            claim=claim, officer=cast["counter"], approve=True, override_reason="Hospital record late"
        )
    with pytest.raises(ValidationError, match="second officer"):
        services.claim_adjudicate(
            claim=claim,
            officer=cast["counter"],
            approve=True,
            override_reason="Hospital record late",
            confirmed_by=cast["verifier"],
        )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.EXAMINED
    services.claim_adjudicate(
        claim=claim,
        officer=cast["counter"],
        approve=True,
        override_reason="Hospital record late",
        confirmed_by=cast["supervisor"],
    )
    claim.refresh_from_db()
    assert (claim.status, claim.override_confirmed_by) == (Claim.Status.APPROVED, cast["supervisor"])


def test_missing_documents_or_a_user_without_the_role_cannot_approve(person, cast):
    claim = _examined(_record(person, cast))
    claim.documents.filter(requirement__code="receipt").update(state=ClaimDocument.State.MISSING)
    assert not services.claim_is_clear_cut(claim)
    with pytest.raises(ValidationError, match="override"):
        services.claim_adjudicate(claim=claim, officer=cast["counter"], approve=True)
    with pytest.raises(PermissionDenied):
        services.claim_adjudicate(claim=claim, officer=cast["outsider"], approve=False, note="x")
    with pytest.raises(ValidationError, match="reason for rejecting"):
        services.claim_adjudicate(claim=claim, officer=cast["counter"], approve=False)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.EXAMINED


def test_referral_sends_the_claim_to_the_back_office(person, cast):
    claim = _examined(_record(person, cast), eligible=False)
    with pytest.raises(ValidationError, match="Say what"):
        services.claim_refer(claim=claim, officer=cast["counter"], note=" ")
    services.claim_refer(claim=claim, officer=cast["counter"], note="Check the employer's statements")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REFERRED
    assert claim.steps.last().note == "Check the employer's statements"


def test_examining_a_claim_keeps_the_rules_working_in_both_languages(person, cast):
    from contributions.models import ContributionMonth, Payment

    payment = Payment.objects.create(
        office=person.office,
        kind=Payment.Kind.SECTION39,
        person=person,
        period_from=datetime.date(2025, 12, 1),
        period_to=datetime.date(2026, 2, 1),
        method="cash",
        contribution_amount=D("0"),
        amount=D("0"),
        paid_on=datetime.date(2026, 2, 1),
        posted_by=cast["counter"],
    )
    ContributionMonth.objects.bulk_create(
        ContributionMonth(person=person, period=period, section="33", wage=D("15000"), amount=D("750"), payment=payment)
        for period in (datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1))
    )
    claim = services.claim_examine(claim=_record(person, cast, presented=["claim_form"]), officer=cast["counter"])
    assert claim.status == Claim.Status.EXAMINED and claim.eligible is True
    assert claim.amount == D("2500.00")  # 3 x 15,000 / 90 x 50% x 10 days
    english = [line["en"] for line in claim.working]
    assert any("3 of 3 months in the 15 months before" in line for line in english)
    assert any("Document missing" in line for line in english)
    assert all(line["th"] for line in claim.working)
    assert not services.claim_is_clear_cut(claim)  # the certificate and receipt are still missing


def test_a_decided_claim_has_its_decision_letter_as_a_pdf(person, cast, client_for):
    import subprocess

    from django.urls import reverse

    claim = _examined(_record(person, cast))
    client = client_for(cast["counter"])
    assert client.get(reverse("benefits:claim_letter", args=[claim.pk])).status_code == 404  # not decided
    services.claim_adjudicate(claim=claim, officer=cast["counter"], approve=True)
    response = client.get(reverse("benefits:claim_letter", args=[claim.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    try:
        text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True).stdout.decode()
    except FileNotFoundError:
        return
    assert "2,500.00" in text
