"""The back office's verification of benefit claims: each cross-check finds what it should
and nothing else, a re-run adds nothing, the verifier clears (payment released) or confirms
(the claim is decided again), the work queue pages, and a real Celery worker verifying a
claim recorded at the counter."""

import datetime
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from benefits import backoffice, services, tasks
from benefits.models import Benefit, Claim, ClaimFinding, ClaimStep, PaymentOrder
from contributions import services as contribution_services
from contributions.services import LineInput
from registry.models import Dependant
from tests.factories import BankAccountFactory, StaffFactory, employee_make, employer_make

D = Decimal
TODAY = timezone.localdate()
EVENT = TODAY - datetime.timedelta(days=40)


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def employer(cast, offices):
    return employer_make(offices["1001"], cast["counter"], n=901)


def _person(employer, n, officer, account="1234567890"):
    person = employee_make(employer, n, officer, started_on=datetime.date(2024, 1, 1)).person
    if account:
        BankAccountFactory(person=person, account_number=account)
    return person


@pytest.fixture
def person(employer, cast):
    return _person(employer, 901, cast["counter"])


def _record(person, officer, benefit=Benefit.SICKNESS, event_date=EVENT, **kwargs):
    details = kwargs.pop("details", {"days_off": 5} if benefit == Benefit.SICKNESS else {})
    return services.claim_record(
        officer=officer, person=person, benefit=benefit, event_date=event_date, details=details, **kwargs
    )


def _kinds(claim):
    return sorted(claim.findings.values_list("kind", flat=True))


def _verify(claim):
    result = backoffice.claim_verify(claim_id=claim.pk)
    claim.refresh_from_db()
    assert claim.verification == result
    return result


def _child(person, n, certificate="", national_id=""):
    return Dependant.objects.create(
        person=person,
        kind=Dependant.Kind.CHILD,
        birth_certificate_id=certificate,
        national_id=national_id,
        first_name_th=f"ลูก{n}",
        last_name_th="ใจดี",
        birth_date=TODAY - datetime.timedelta(days=400),
    )


# The checks -------------------------------------------------------------------------------


def test_a_plain_claim_with_a_good_account_is_clear(person, cast):
    claim = _record(person, cast["counter"])
    assert claim.verification == Claim.Verification.PENDING
    assert _verify(claim) == Claim.Verification.CLEAR
    assert claim.verified_at is not None and _kinds(claim) == []
    assert claim.history.first().history_user is None  # the system's own change


def test_bank_account_missing_or_of_the_wrong_length(employer, cast):
    counter = cast["counter"]
    none = _record(_person(employer, 902, counter, account=""), counter)
    short = _record(_person(employer, 903, counter, account="12345"), counter)
    assert _verify(none) == Claim.Verification.FINDINGS and _kinds(none) == ["bank_account"]
    assert none.findings.get().detail == {"problem": "none"}
    assert _verify(short) == Claim.Verification.FINDINGS
    assert short.findings.get().detail["digits"] == 5 and short.findings.get().detail["expected"] == 10


def test_a_death_claim_needs_no_account_of_the_deceased(employer, cast):
    counter = cast["counter"]
    deceased = _person(employer, 904, counter, account="")
    deceased.died_on = EVENT
    deceased.save(update_fields=["died_on"])
    claim = _record(deceased, counter, benefit=Benefit.DEATH)
    assert _verify(claim) == Claim.Verification.CLEAR


def _statement(counter, employer, period, people):
    return contribution_services.statement_submit(
        officer=counter,
        employer=employer,
        branch=employer.branches.get(number="000000"),
        period=period,
        lines=[LineInput(line=n, national_id=p.national_id, wage=D("12000")) for n, p in enumerate(people, 2)],
    )


def test_still_employed_by_a_statement_after_the_leaving_date(employer, person, cast):
    counter = cast["counter"]
    left_on = TODAY.replace(day=1) - datetime.timedelta(days=50)  # mid of the month before last
    claim = _record(person, counter, benefit=Benefit.UNEMPLOYMENT, event_date=left_on, details={"reason": "laid_off"})
    # The leaving month's statement lists the person: wages up to the leaving date.
    _statement(counter, employer, left_on.replace(day=1), [person])
    assert _verify(claim) == Claim.Verification.CLEAR

    other = _person(employer, 905, counter)
    later = (left_on.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    statement = _statement(counter, employer, later, [person, other])
    claim.verification = Claim.Verification.PENDING
    claim.save(update_fields=["verification"])
    assert _verify(claim) == Claim.Verification.FINDINGS
    finding = claim.findings.get()
    assert finding.kind == "still_employed"
    assert finding.detail["statement"] == statement.pk and finding.detail["period"] == later.isoformat()
    # A sickness claim is not checked for employment.
    assert _kinds(_record(other, counter)) == [] and _verify(Claim.objects.get(person=other)) == "clear"


def test_overlapping_sickness_and_maternity_days(person, cast, employer):
    counter = cast["counter"]
    first = _record(person, counter, event_date=EVENT, details={"days_off": 10})
    overlapping = _record(person, counter, event_date=EVENT + datetime.timedelta(days=7), details={"days_off": 5})
    apart = _record(person, counter, event_date=EVENT + datetime.timedelta(days=20), details={"days_off": 3})
    withdrawn = _record(person, counter, event_date=EVENT - datetime.timedelta(days=1), details={"days_off": 30})
    services.claim_withdraw(claim=withdrawn, officer=counter)

    assert _verify(overlapping) == Claim.Verification.FINDINGS
    detail = overlapping.findings.get(kind="overlap").detail
    assert [(c["claim"], c["days"]) for c in detail["claims"]] == [(first.pk, 3)]
    assert _verify(first) == Claim.Verification.FINDINGS
    assert _verify(apart) == Claim.Verification.CLEAR

    mother = _person(employer, 906, counter)
    birth = _record(mother, counter, benefit=Benefit.MATERNITY, event_date=EVENT - datetime.timedelta(days=30))
    sick = _record(mother, counter, event_date=EVENT, details={"days_off": 2})
    assert _verify(sick) == Claim.Verification.FINDINGS
    assert sick.findings.get().detail["claims"][0]["benefit"] == "maternity"
    assert _verify(birth) == Claim.Verification.FINDINGS


def test_the_maternity_days_the_overlap_check_reads_are_the_dated_parameter(employer, cast):
    from benefits.models import BenefitParameter

    counter = cast["counter"]
    mother = _person(employer, 907, counter)
    _record(mother, counter, benefit=Benefit.MATERNITY, event_date=EVENT - datetime.timedelta(days=30))
    sick = _record(mother, counter, event_date=EVENT, details={"days_off": 2})
    # Maternity cash for 30 days from the birth (a row valid from before it): day 31 is not covered.
    BenefitParameter.objects.create(
        key="maternity.cash_days", value=D("30"), valid_from=EVENT - datetime.timedelta(days=60)
    )
    assert _verify(sick) == Claim.Verification.CLEAR


def test_two_parents_claiming_one_child(employer, cast):
    counter = cast["counter"]
    father, mother, other = (_person(employer, n, counter) for n in (907, 908, 909))
    by_father = _record(
        father, counter, benefit=Benefit.CHILD_ALLOWANCE, dependant=_child(father, 1, certificate="BC-1")
    )
    by_mother = _record(
        mother, counter, benefit=Benefit.CHILD_ALLOWANCE, dependant=_child(mother, 2, certificate="BC-1")
    )
    alone = _record(other, counter, benefit=Benefit.CHILD_ALLOWANCE, dependant=_child(other, 3, certificate="BC-2"))
    assert _verify(by_mother) == Claim.Verification.FINDINGS
    assert by_mother.findings.get().detail["claims"] == [{"claim": by_father.pk, "person": father.pk}]
    assert _verify(by_father) == Claim.Verification.FINDINGS
    assert _verify(alone) == Claim.Verification.CLEAR
    # Once the father's claim is withdrawn, a new claim for the child is not flagged by it.
    services.claim_withdraw(claim=by_mother, officer=counter)
    again = _record(other, counter, benefit=Benefit.CHILD_ALLOWANCE, dependant=_child(other, 4, national_id="1" * 13))
    assert _verify(again) == Claim.Verification.CLEAR


def test_a_death_recorded_before_the_event(person, cast):
    claim = _record(person, cast["counter"])
    person.died_on = EVENT - datetime.timedelta(days=2)  # reported after the claim was recorded
    person.save(update_fields=["died_on"])
    assert _verify(claim) == Claim.Verification.FINDINGS
    assert claim.findings.get().detail == {
        "died_on": person.died_on.isoformat(),
        "event_date": EVENT.isoformat(),
    }


def test_a_rerun_adds_nothing_and_does_not_reopen(employer, cast):
    counter = cast["counter"]
    claim = _record(_person(employer, 910, counter, account=""), counter)
    _verify(claim)
    history = claim.history.count()
    _verify(claim)
    assert claim.findings.count() == 1 and claim.history.count() == history
    backoffice.finding_clear(finding=claim.findings.get(), officer=cast["verifier"], note="Paid in cash")
    assert _verify(claim) == Claim.Verification.CLEARED
    assert claim.findings.get().status == ClaimFinding.Status.CLEARED


# The verifier's resolutions ---------------------------------------------------------------


def _order(claim, period, status=PaymentOrder.Status.HELD):
    return PaymentOrder.objects.create(claim=claim, period=period, amount=D("800"), status=status)


@pytest.fixture
def flagged(employer, cast):
    """An approved child-allowance claim with no bank account and a clash with another
    parent's claim: two findings, two months held."""
    counter = cast["counter"]
    father, mother = _person(employer, 911, counter), _person(employer, 912, counter, account="")
    _record(father, counter, benefit=Benefit.CHILD_ALLOWANCE, dependant=_child(father, 5, certificate="BC-9"))
    claim = _record(mother, counter, benefit=Benefit.CHILD_ALLOWANCE, dependant=_child(mother, 6, certificate="BC-9"))
    _verify(claim)
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.APPROVED, adjudicated_by=counter)
    claim.refresh_from_db()
    orders = [_order(claim, datetime.date(2026, 9, 1)), _order(claim, datetime.date(2026, 10, 1))]
    return claim, orders


def test_clearing_the_last_finding_releases_the_held_orders(flagged, cast):
    claim, orders = flagged
    verifier = cast["verifier"]
    assert _kinds(claim) == ["bank_account", "child_claimed"]
    with pytest.raises(ValidationError) as refused:
        backoffice.finding_clear(finding=claim.findings.get(kind="bank_account"), officer=verifier, note=" ")
    assert "note" in refused.value.error_dict
    backoffice.finding_clear(finding=claim.findings.get(kind="bank_account"), officer=verifier, note="Cheque")
    claim.refresh_from_db()
    assert claim.verification == Claim.Verification.FINDINGS
    assert {o.status for o in PaymentOrder.objects.filter(claim=claim)} == {"held"}

    backoffice.finding_clear(
        finding=claim.findings.get(kind="child_claimed"), officer=verifier, note="The father's claim is withdrawn"
    )
    claim.refresh_from_db()
    assert claim.verification == Claim.Verification.CLEARED and claim.status == Claim.Status.APPROVED
    for order in orders:
        order.refresh_from_db()
        assert order.status == PaymentOrder.Status.PENDING
        assert order.history.first().history_user == verifier
    finding = claim.findings.get(kind="child_claimed")
    assert finding.resolved_by == verifier and finding.note == "The father's claim is withdrawn"
    with pytest.raises(ValidationError):
        backoffice.finding_clear(finding=finding, officer=verifier, note="again")


def test_a_clear_check_releases_orders_held_while_it_was_pending(person, cast):
    claim = _record(person, cast["counter"])
    order = _order(claim, EVENT.replace(day=1))
    _verify(claim)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING


def test_confirming_a_finding_sends_the_claim_back_and_cancels_held_orders(flagged, cast):
    claim, orders = flagged
    paid = _order(claim, datetime.date(2026, 8, 1), status=PaymentOrder.Status.PAID)
    verifier = cast["verifier"]
    backoffice.finding_confirm(
        finding=claim.findings.get(kind="child_claimed"), officer=verifier, note="The father receives it"
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.EXAMINED and claim.adjudicated_by is None
    assert claim.verification == Claim.Verification.FINDINGS  # the bank finding is still open
    step = ClaimStep.objects.filter(claim=claim).last()
    assert (step.from_status, step.to_status, step.by, step.note) == (
        "approved",
        "examined",
        verifier,
        "The father receives it",
    )
    assert {o.status for o in PaymentOrder.objects.filter(pk__in=[o.pk for o in orders])} == {"cancelled"}
    paid.refresh_from_db()
    assert paid.status == PaymentOrder.Status.PAID
    assert claim.findings.get(kind="child_claimed").status == ClaimFinding.Status.CONFIRMED


# The pages --------------------------------------------------------------------------------


def test_the_work_queue_lists_the_office_claims_with_open_findings(flagged, cast, client_for, person):
    claim, _orders = flagged
    clear = _record(person, cast["counter"])
    _verify(clear)
    page = client_for(cast["verifier"]).get(reverse("benefits:verify_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-claim="{claim.pk}"' in html and f'data-claim="{clear.pk}"' not in html
    assert 'data-kind="bank_account" data-count="1"' in html and 'data-kind="overlap" data-count="0"' in html
    assert "No bank account on record." in html
    filtered = client_for(cast["verifier"]).get(reverse("benefits:verify_list"), {"kind": "overlap"})
    assert f'data-claim="{claim.pk}"' not in filtered.content.decode()


def test_clear_and_confirm_from_the_queue(flagged, cast, client_for):
    claim, orders = flagged
    client = client_for(cast["verifier"])
    bank = claim.findings.get(kind="bank_account")
    url = reverse("benefits:finding_resolve", args=[bank.pk])
    refused = client.post(url, {"action": "clear", "note": ""}, follow=True)
    assert "Say why the finding does not stand." in refused.content.decode()
    assert client.post(url, {"action": "clear", "note": "Cheque"}).status_code == 302
    bank.refresh_from_db()
    assert bank.status == ClaimFinding.Status.CLEARED

    child = claim.findings.get(kind="child_claimed")
    response = client.post(
        reverse("benefits:finding_resolve", args=[child.pk]), {"action": "confirm", "note": "Father"}, follow=True
    )
    assert "the claim goes back for a new decision" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.EXAMINED and claim.verification == Claim.Verification.CLEARED
    assert {o.status for o in PaymentOrder.objects.filter(claim=claim)} == {"cancelled"}

    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'data-verification="cleared"' in page and 'data-finding="child_claimed" data-status="confirmed"' in page


def test_another_office_is_404_and_the_counter_is_403(flagged, cast, offices, client_for):
    claim, _orders = flagged
    finding = claim.findings.first()
    url = reverse("benefits:finding_resolve", args=[finding.pk])
    elsewhere = StaffFactory(username="verifier_cm", office=offices["5000"], roles=["backoffice_verifier"])
    client = client_for(elsewhere)
    assert f'data-claim="{claim.pk}"' not in client.get(reverse("benefits:verify_list")).content.decode()
    assert client.post(url, {"action": "clear", "note": "x"}).status_code == 404
    counter = client_for(cast["counter"])
    assert counter.get(reverse("benefits:verify_list")).status_code == 403
    assert counter.post(url, {"action": "clear", "note": "x"}).status_code == 403
    finding.refresh_from_db()
    assert finding.status == ClaimFinding.Status.OPEN


def test_the_safety_net_picks_claims_left_pending(person, cast):
    claim = _record(person, cast["counter"])
    assert claim not in tasks.claims_needing_verification()
    Claim.objects.filter(pk=claim.pk).update(recorded_at=timezone.now() - datetime.timedelta(minutes=20))
    assert list(tasks.claims_needing_verification()) == [claim]
    backoffice.claim_verify(claim_id=claim.pk)
    assert not tasks.claims_needing_verification().exists()
    # An order made held by a payment run that raced the verification is picked up too.
    order = _order(claim, EVENT.replace(day=1))
    assert not tasks.claims_needing_verification().exists()
    PaymentOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=20))
    assert list(tasks.claims_needing_verification()) == [claim]
    backoffice.claim_verify(claim_id=claim.pk)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING
    assert "claims-verify-pending" in settings.CELERY_BEAT_SCHEDULE


# A real worker ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_verifies_a_claim_recorded_at_the_counter(reference_rules, cast, offices, celery_worker_process):
    counter = cast["counter"]
    employer = employer_make(offices["1001"], counter, n=951)
    person = _person(employer, 951, counter, account="123")
    claim = _record(person, counter)

    deadline = time.monotonic() + 60
    while claim.verification == Claim.Verification.PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
        claim.refresh_from_db()
    assert claim.verification == Claim.Verification.FINDINGS
    assert _kinds(claim) == ["bank_account"]
    assert claim.history.first().history_user is None
