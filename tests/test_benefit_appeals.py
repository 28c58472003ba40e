"""Appeals against a claim's decision (Act s.85: within the `appeal_days` parameter of
receiving it), decided by another officer holding the permission, and the refused decision
attempts kept although their transaction rolled back."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from benefits import appeals, services
from benefits.models import Appeal, Benefit, BenefitParameter, Claim, ClaimAttempt, ClaimStep, PaymentOrder
from sso.core.months import month_add, month_first
from tests.factories import BankAccountFactory, contribution_months_make, employee_make, employer_make

PRESENTED = ["claim_form", "medical_certificate", "receipt"]


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_benefit_rules_cache():
    # A parameter row changed by a test (and rolled back) must not outlive it in the cache.
    from benefits.rules import rules_cache_clear

    rules_cache_clear()
    yield
    rules_cache_clear()


def _event():
    return timezone.localdate() - datetime.timedelta(days=3)


@pytest.fixture
def person(cast, offices):
    """Employed since 2024, 12 months paid before the event, a bank account on record."""
    employer = employer_make(offices["1001"], cast["counter"], n=831)
    person = employee_make(employer, 831, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    contribution_months_make(
        person, cast["counter"], last_period=month_add(month_first(_event()), -1), count=12, employer=employer
    )
    BankAccountFactory(person=person, account_number="1234567890")
    return person


def _examined(person, cast, **kwargs):
    fields = {"benefit": Benefit.SICKNESS, "event_date": _event(), "details": {"days_off": 5}, "presented": PRESENTED}
    claim = services.claim_record(officer=cast["counter"], person=person, **(fields | kwargs))
    return services.claim_examine(claim=claim, officer=cast["counter"])


def _approved(person, cast, by="counter"):
    claim = _examined(person, cast)
    return services.claim_adjudicate(claim=claim, officer=cast[by], approve=True)


def _rejected(person, cast, by="verifier"):
    claim = _examined(person, cast)
    return services.claim_adjudicate(claim=claim, officer=cast[by], approve=False, note="No treatment that day")


def _lodged(claim, cast, **kwargs):
    return appeals.appeal_lodge(claim=claim, officer=cast["counter"], grounds="The hospital confirms it", **kwargs)


def _claim_state(claim):
    """Everything a refused decision must leave as it was."""
    claim = Claim.objects.get(pk=claim.pk)
    return (
        claim.status,
        claim.amount,
        claim.decision_note,
        claim.adjudicated_at,
        claim.adjudicated_by_id,
        claim.override_confirmed_by_id,
        claim.history.count(),
        claim.steps.count(),
        claim.payment_orders.count(),
        list(claim.appeals.values_list("status", flat=True)),
    )


# Lodging ----------------------------------------------------------------------------------


def test_an_appeal_is_lodged_against_a_decision_with_its_step_and_audit(person, cast):
    claim = _approved(person, cast)
    appeal = _lodged(claim, cast)
    assert appeal.status == Appeal.Status.LODGED and appeal.decision == Claim.Status.APPROVED
    assert appeal.received_decision_on == timezone.localdate(claim.adjudicated_at)
    assert appeal.lodged_by == cast["counter"] and appeal.history.first().history_user == cast["counter"]
    step = claim.steps.last()
    assert (step.from_status, step.to_status, step.by, step.note) == (
        "approved",
        Appeal.STEP,
        cast["counter"],
        "The hospital confirms it",
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED  # still paid while the appeal is open
    with pytest.raises(ValidationError, match="already open"):
        _lodged(claim, cast)
    assert Appeal.objects.count() == 1


def test_an_undecided_claim_cannot_be_appealed_and_the_grounds_are_required(person, cast):
    claim = _examined(person, cast)
    with pytest.raises(ValidationError, match="Only a decided claim"):
        _lodged(claim, cast)
    services.claim_adjudicate(claim=claim, officer=cast["counter"], approve=True)
    with pytest.raises(ValidationError, match="grounds"):
        appeals.appeal_lodge(claim=claim, officer=cast["counter"], grounds="  ")
    with pytest.raises(ValidationError, match="before it was made"):
        _lodged(claim, cast, received_on=timezone.localdate() - datetime.timedelta(days=10))
    assert not Appeal.objects.exists()
    assert list(claim.steps.values_list("to_status", flat=True)) == ["recorded", "examined", "approved"]


def test_the_deadline_is_the_appeal_days_parameter_and_a_changed_row_takes_effect(person, cast):
    claim = _rejected(person, cast)
    decided_on = timezone.localdate(claim.adjudicated_at)
    row = BenefitParameter.objects.get(key="appeal_days")
    assert row.value == 30  # seeded by the migration, Act s.85
    assert appeals.appeal_lodge(
        claim=claim, officer=cast["counter"], grounds="x", today=decided_on + datetime.timedelta(days=30)
    )
    Appeal.objects.all().delete()
    with pytest.raises(ValidationError, match="Too late to appeal") as refused:
        _lodged(claim, cast, today=decided_on + datetime.timedelta(days=45))
    assert refused.value.error_dict["received_on"][0].code == "late"
    # Received later than it was made: the days count from the day it was received.
    assert _lodged(
        claim,
        cast,
        received_on=decided_on + datetime.timedelta(days=20),
        today=decided_on + datetime.timedelta(days=45),
    )
    Appeal.objects.all().delete()

    row.value = 60
    row.save()
    appeal = _lodged(claim, cast, today=decided_on + datetime.timedelta(days=45))
    assert appeal.status == Appeal.Status.LODGED


# Deciding ---------------------------------------------------------------------------------


def test_the_officer_who_decided_may_not_decide_the_appeal_and_the_attempt_is_kept(person, cast):
    claim = _rejected(person, cast, by="supervisor")
    appeal = _lodged(claim, cast)
    before = _claim_state(claim)
    with pytest.raises(ValidationError, match="took part in the decision"):
        appeals.appeal_decide(appeal=appeal, officer=cast["supervisor"], uphold=True, note="Hospital record")
    assert _claim_state(claim) == before
    attempt = ClaimAttempt.objects.get()
    assert (attempt.claim, attempt.by, attempt.action, attempt.code) == (
        claim,
        cast["supervisor"],
        ClaimAttempt.Action.APPEAL_DECIDE,
        "own_decision",
    )
    assert "another officer" in attempt.message["en"] and attempt.message["th"]


def test_deciding_an_appeal_without_the_permission_is_refused_and_kept_as_an_attempt(person, cast):
    claim = _rejected(person, cast)
    appeal = _lodged(claim, cast)
    before = _claim_state(claim)
    with pytest.raises(PermissionDenied):
        appeals.appeal_decide(appeal=appeal, officer=cast["counter"], uphold=True, note="Looks right")
    assert _claim_state(claim) == before
    attempt = ClaimAttempt.objects.get()
    assert (attempt.by, attempt.action, attempt.code) == (cast["counter"], "appeal", "permission")
    # A note left empty is a slip, not an attempt: refused, not kept.
    with pytest.raises(ValidationError, match="Give the reason"):
        appeals.appeal_decide(appeal=appeal, officer=cast["supervisor"], uphold=True, note=" ")
    assert ClaimAttempt.objects.count() == 1 and _claim_state(claim) == before


def test_upholding_an_appeal_against_a_rejection_approves_the_claim_and_makes_its_payment_orders(person, cast):
    claim = _rejected(person, cast)
    appeal = _lodged(claim, cast)
    assert not PaymentOrder.objects.exists()
    appeals.appeal_decide(appeal=appeal, officer=cast["supervisor"], uphold=True, note="Treatment confirmed")
    claim.refresh_from_db()
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by, appeal.decision_note) == (
        Appeal.Status.UPHELD,
        cast["supervisor"],
        "Treatment confirmed",
    )
    assert claim.status == Claim.Status.APPROVED and claim.adjudicated_by == cast["supervisor"]
    assert claim.override_reason == ""  # the rules allow it: no override
    order = PaymentOrder.objects.get(claim=claim)
    assert order.amount == claim.amount and order.amount > 0
    assert list(claim.steps.values_list("to_status", flat=True)) == [
        "recorded",
        "examined",
        "rejected",
        Appeal.STEP,
        "approved",
    ]
    last = claim.steps.last()
    assert last.by == cast["supervisor"] and last.note == "Appeal upheld: Treatment confirmed"
    assert claim.history.first().history_user == cast["supervisor"]
    with pytest.raises(ValidationError, match="already decided"):
        appeals.appeal_decide(appeal=appeal, officer=cast["supervisor"], uphold=False, note="again")


def test_dismissing_an_appeal_keeps_the_decision(person, cast):
    claim = _rejected(person, cast)
    appeal = _lodged(claim, cast)
    appeals.appeal_decide(appeal=appeal, officer=cast["supervisor"], uphold=False, note="No new evidence")
    claim.refresh_from_db()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.DISMISSED and appeal.decided_by == cast["supervisor"]
    assert claim.status == Claim.Status.REJECTED and claim.adjudicated_by == cast["verifier"]
    assert not PaymentOrder.objects.exists()
    step = claim.steps.last()
    assert (step.from_status, step.to_status, step.note) == (
        Appeal.STEP,
        "rejected",
        "Appeal dismissed: No new evidence",
    )
    # Dismissed: a new appeal may be lodged while still in time.
    assert _lodged(claim, cast).status == Appeal.Status.LODGED


def test_upholding_an_appeal_against_an_approval_re_examines_and_leaves_the_orders(person, cast):
    claim = _approved(person, cast)
    orders = list(PaymentOrder.objects.filter(claim=claim).values_list("pk", "amount"))
    appeal = _lodged(claim, cast)
    appeals.appeal_decide(appeal=appeal, officer=cast["supervisor"], uphold=True, note="Check the wage base")
    appeal.refresh_from_db()
    claim.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD and appeal.reexamined_amount == claim.amount
    assert claim.status == Claim.Status.APPROVED and claim.adjudicated_by == cast["counter"]
    assert list(PaymentOrder.objects.filter(claim=claim).values_list("pk", "amount")) == orders
    assert "re-examined" in claim.steps.last().note


def test_a_rejection_by_the_rules_is_upheld_once_the_record_is_corrected(cast, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=833)
    insured = employee_make(employer, 833, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    claim = _examined(insured, cast)
    assert claim.eligible is False and claim.amount is None  # no contribution months on record
    services.claim_adjudicate(claim=claim, officer=cast["verifier"], approve=False)
    appeal = _lodged(claim, cast)
    with pytest.raises(ValidationError, match="give no amount"):
        appeals.appeal_decide(appeal=appeal, officer=cast["supervisor"], uphold=True, note="Months were paid")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.LODGED and not ClaimAttempt.objects.exists()

    # The employer's late statements are posted: the rules, run again, allow the claim.
    contribution_months_make(
        insured, cast["counter"], last_period=month_add(month_first(_event()), -1), count=12, employer=employer
    )
    appeals.appeal_decide(appeal=appeal, officer=cast["supervisor"], uphold=True, note="Months were paid")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED and claim.eligible is True and claim.amount > 0
    # No bank book on record either: the approval is an override, confirmed by the appeal's officer.
    assert (claim.override_reason, claim.override_confirmed_by) == ("Months were paid", cast["supervisor"])
    assert PaymentOrder.objects.get(claim=claim).amount == claim.amount


def test_the_appeal_list_reads_in_a_fixed_number_of_queries(person, cast, client_for, django_assert_max_num_queries):
    for days in (1, 5, 10, 15):
        claim = _examined(person, cast, event_date=_event() - datetime.timedelta(days=days))
        services.claim_adjudicate(claim=claim, officer=cast["verifier"], approve=False, note="No")
        _lodged(claim, cast)
    client = client_for(cast["supervisor"])
    with django_assert_max_num_queries(12):  # as the claims list: none per row
        html = client.get(reverse("benefits:appeal_list")).content.decode()
    assert html.count('data-appeal="') == 4


def test_an_appeal_is_withdrawn_and_the_decision_stands(person, cast):
    claim = _rejected(person, cast)
    appeal = appeals.appeal_withdraw(appeal=_lodged(claim, cast), officer=cast["counter"], note="Person withdrew")
    assert appeal.status == Appeal.Status.WITHDRAWN
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED and claim.steps.last().note == "Appeal withdrawn: Person withdrew"


# Refused adjudications --------------------------------------------------------------------


def test_a_refused_adjudication_is_kept_as_an_attempt_and_the_claim_is_unchanged(person, cast):
    claim = _examined(person, cast, presented=["claim_form"])  # documents missing: approving is an override
    before = _claim_state(claim)
    with pytest.raises(PermissionDenied):
        services.claim_adjudicate(claim=claim, officer=cast["national"], approve=True)
    with pytest.raises(ValidationError, match="second officer"):
        services.claim_adjudicate(
            claim=claim, officer=cast["counter"], approve=True, override_reason="Late", confirmed_by=cast["verifier"]
        )
    with pytest.raises(ValidationError, match="reason for rejecting"):  # a slip: not kept
        services.claim_adjudicate(claim=claim, officer=cast["counter"], approve=False)
    assert _claim_state(claim) == before
    kept = list(ClaimAttempt.objects.filter(claim=claim).values_list("by__username", "action", "code"))
    assert kept == [("national", "approve", "permission"), ("counter", "override", "four_eyes")]
    assert ClaimAttempt.objects.get(code="permission").message["en"] == "You may not decide claims."


@pytest.mark.django_db(transaction=True)
def test_the_attempt_outlives_the_rollback_of_the_refused_transaction(cast, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=832)
    insured = employee_make(employer, 832, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    claim = Claim.objects.create(
        office=offices["1001"],
        person=insured,
        benefit=Benefit.SICKNESS,
        event_date=_event(),
        event_key="once",
        status=Claim.Status.EXAMINED,
        recorded_by=cast["counter"],
    )
    with pytest.raises(PermissionDenied):
        services.claim_adjudicate(claim=claim, officer=cast["national"], approve=False, note="x")
    # No transaction around this test: the refused decision's own transaction rolled back,
    # and the attempt was committed after it.
    assert ClaimAttempt.objects.filter(claim=claim, code="permission").exists()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.EXAMINED


# Pages ------------------------------------------------------------------------------------


def test_an_appeal_is_lodged_and_decided_on_the_claim_page(person, cast, client_for):
    claim = _rejected(person, cast)
    client = client_for(cast["counter"])
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="appeal-lodge-form"' in page and "can be appealed until" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    assert "ยื่นอุทธรณ์" in client.get(claim.get_absolute_url()).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("benefits:claim_appeal", args=[claim.pk])
    refused = client.post(url, {"grounds": ""})
    assert refused.status_code == 400 and "Give the grounds of the appeal." in refused.content.decode()
    assert client.post(url, {"grounds": "The hospital confirms the treatment", "received_on": ""}).status_code == 302
    appeal = Appeal.objects.get()
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'data-appeal-status="lodged"' in page and "The hospital confirms the treatment" in page
    assert 'data-testid="appeal-uphold"' not in page and 'data-testid="appeal-lodge-form"' not in page

    # The counter officer may not decide it: refused, and kept as an attempt.
    action = reverse("benefits:appeal_action", args=[appeal.pk])
    assert client.post(action, {"action": "uphold", "note": "ok"}).status_code == 403
    assert ClaimAttempt.objects.filter(claim=claim, code="permission", by=cast["counter"]).exists()

    supervisor = client_for(cast["supervisor"])
    page = supervisor.get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="appeal-uphold"' in page and 'data-testid="claim-attempts"' in page
    assert 'data-code="permission"' in page and "You may not decide appeals." in page
    missing = supervisor.post(action, {"action": "uphold", "note": ""})
    assert missing.status_code == 400 and "Give the reason for the appeal" in missing.content.decode()
    assert supervisor.post(action, {"action": "uphold", "note": "Treatment confirmed"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED and claim.payment_orders.exists()
    page = supervisor.get(claim.get_absolute_url()).content.decode()
    assert 'data-status="upheld"' in page and 'data-step="appealed"' in page


def test_a_late_appeal_is_refused_on_the_page(person, cast, client_for):
    claim = _rejected(person, cast)
    Claim.objects.filter(pk=claim.pk).update(adjudicated_at=timezone.now() - datetime.timedelta(days=40))
    response = client_for(cast["counter"]).post(
        reverse("benefits:claim_appeal", args=[claim.pk]), {"grounds": "Late letter"}
    )
    assert response.status_code == 400 and "Too late to appeal" in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_original_decider_sees_that_another_officer_must_decide(person, cast, client_for):
    claim = _rejected(person, cast, by="supervisor")
    _lodged(claim, cast)
    page = client_for(cast["supervisor"]).get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="appeal-own-decision"' in page and 'data-testid="appeal-uphold"' not in page


APPEAL_LIST = [
    # (user, status, sees the appeal)
    ("counter", 200, True),
    ("supervisor", 200, True),
    ("national", 200, True),
    ("other_supervisor", 200, False),
    ("outsider", 403, False),
]


@pytest.mark.parametrize(("who", "status", "sees"), APPEAL_LIST)
def test_the_open_appeals_list_is_office_scoped(person, cast, client_for, who, status, sees):
    appeal = _lodged(_rejected(person, cast), cast)
    decided = _lodged(_rejected_other(person, cast), cast)
    appeals.appeal_decide(appeal=decided, officer=cast["supervisor"], uphold=False, note="No")
    response = client_for(cast[who]).get(reverse("benefits:appeal_list"))
    assert response.status_code == status
    html = response.content.decode()
    assert (f'data-appeal="{appeal.pk}"' in html) is sees
    assert f'data-appeal="{decided.pk}"' not in html  # decided: off the work list
    if who == "counter":
        assert 'data-menu="appeals"' in client_for(cast[who]).get("/").content.decode()


def _rejected_other(person, cast):
    claim = _examined(person, cast, event_date=_event() - datetime.timedelta(days=10))
    return services.claim_adjudicate(claim=claim, officer=cast["verifier"], approve=False, note="No")


def test_a_decision_by_a_user_without_the_role_on_the_page_is_kept_as_an_attempt(person, cast, client_for):
    claim = _examined(person, cast)
    before = _claim_state(claim)
    national = client_for(cast["national"])
    assert national.post(reverse("benefits:claim_decide", args=[claim.pk]), {"action": "approve"}).status_code == 403
    assert _claim_state(claim) == before
    assert list(ClaimAttempt.objects.values_list("by__username", "action", "code")) == [
        ("national", "approve", "permission")
    ]
    assert ClaimStep.objects.filter(claim=claim).count() == 2
