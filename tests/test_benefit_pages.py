"""Claim pages: record and examine in one submit at the counter, approve a clear-cut claim on
the claim page, the live checklist and the slip of documents to bring, the four-eyes
override with the supervisor's password, the work queue, and who may see what."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from benefits import services
from benefits.models import Benefit, Claim, ClaimDocument, ClaimStep
from sso.core.formats import BE_OFFSET
from sso.core.months import month_add, month_first
from tests.factories import BankAccountFactory, contribution_months_make, employee_make, employer_make

PRESENTED = ["claim_form", "medical_certificate", "receipt"]


@pytest.fixture(autouse=True)
def _english(client):
    # The pages answer in the language chosen with the switch (Thai otherwise).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _event():
    return timezone.localdate() - datetime.timedelta(days=3)


def _be(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + BE_OFFSET}"


@pytest.fixture
def person(cast, offices):
    """Employed since 2024, 12 months paid before the event, a bank account on record."""
    employer = employer_make(offices["1001"], cast["counter"], n=811)
    person = employee_make(employer, 811, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
    contribution_months_make(
        person, cast["counter"], last_period=month_add(month_first(_event()), -1), count=12, employer=employer
    )
    BankAccountFactory(person=person, account_number="1234567890")
    return person


def _sickness_form(**fields):
    return {
        "benefit": "sickness",
        "event_date": _be(_event()),
        "days_off": "5",
        "medical_expenses": "",
        "presented": PRESENTED,
        **fields,
    }


def _record(person, cast, **kwargs):
    fields = {"benefit": Benefit.SICKNESS, "event_date": _event(), "details": {"days_off": 5}} | kwargs
    claim = services.claim_record(officer=cast["counter"], person=person, **fields)
    return services.claim_examine(claim=claim, officer=cast["counter"])


def test_a_clear_cut_sickness_claim_is_recorded_examined_and_approved_at_the_counter(person, cast, client_for):
    client = client_for(cast["counter"])
    url = reverse("benefits:claim_new", args=[person.pk])
    page = client.get(url, {"benefit": "sickness"}).content.decode()
    assert 'name="event_date"' in page and "autofocus" in page and 'accesskey="s"' in page
    response = client.post(url, _sickness_form())
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    assert claim.status == Claim.Status.EXAMINED and claim.eligible is True, claim.working
    assert claim.details == {"days_off": 5} and claim.event_date == _event()
    assert claim.amount > 0 and services.claim_is_clear_cut(claim)
    html = client.get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="approve"' in html and 'accesskey="a"' in html
    assert claim.working[0]["en"] in html
    response = client.post(reverse("benefits:claim_decide", args=[claim.pk]), {"action": "approve"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED and claim.adjudicated_by == cast["counter"]
    assert list(claim.steps.values_list("to_status", flat=True)) == ["recorded", "examined", "approved"]
    html = client.get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="decided"' in html and 'data-step="approved"' in html


def test_a_claim_in_the_future_or_for_the_same_event_twice_is_refused_on_its_field(person, cast, client_for):
    client = client_for(cast["counter"])
    url = reverse("benefits:claim_new", args=[person.pk])
    future = _be(timezone.localdate() + datetime.timedelta(days=2))
    response = client.post(url, _sickness_form(event_date=future))
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not Claim.objects.exists() and not ClaimDocument.objects.exists() and not ClaimStep.objects.exists()

    assert client.post(url, _sickness_form()).status_code == 302
    again = client.post(url, _sickness_form())
    assert again.status_code == 200 and "already recorded" in again.content.decode()
    assert Claim.objects.count() == 1 and ClaimStep.objects.count() == 2


def test_the_form_asks_for_what_the_rules_need_and_refuses_a_child_allowance_without_a_child(person, cast, client_for):
    client = client_for(cast["counter"])
    url = reverse("benefits:claim_new", args=[person.pk])
    response = client.post(url, {"benefit": "invalidity", "event_date": _be(_event())})
    assert response.status_code == 200 and "The rules need this" in response.content.decode()
    response = client.post(url, {"benefit": "child_allowance", "event_date": _be(_event())})
    assert response.status_code == 200 and "Choose the child" in response.content.decode()
    assert not Claim.objects.exists()


def test_the_checklist_shows_what_the_registry_holds_and_the_slip_lists_what_to_bring(person, cast, client_for):
    client = client_for(cast["counter"])
    checklist = client.get(
        reverse("benefits:claim_checklist", args=[person.pk]), {"benefit": "sickness", "presented": ["claim_form"]}
    ).content.decode()
    assert 'data-document="bank_book" data-state="on_record"' in checklist
    assert 'data-document="claim_form" data-state="presented"' in checklist
    assert 'data-document="receipt" data-state="missing"' in checklist
    assert "held by the registry" in checklist and 'data-testid="slip-link"' in checklist

    slip = client.get(
        reverse("benefits:person_slip", args=[person.pk]), {"benefit": "sickness", "presented": ["claim_form"]}
    ).content.decode()
    assert "Medical certificate" in slip and "Medical expense receipt" in slip
    assert "Benefit claim form" not in slip and "Copy of the bank book" not in slip

    # Recorded without the receipt: the claim's own slip lists it, the claim page offers it.
    claim = _record(person, cast, presented=["claim_form", "medical_certificate"])
    slip = client.get(reverse("benefits:claim_slip", args=[claim.pk])).content.decode()
    assert "Medical expense receipt" in slip and "Medical certificate" not in slip
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="claim-slip"' in page and 'data-testid="not-clear-cut"' in page
    assert "Document missing: Medical expense receipt." in page


def test_documents_brought_later_make_the_claim_clear_cut(person, cast, client_for):
    claim = _record(person, cast, presented=["claim_form", "medical_certificate"])
    assert not services.claim_is_clear_cut(claim)
    client = client_for(cast["counter"])
    response = client.post(reverse("benefits:claim_documents", args=[claim.pk]), {"codes": ["receipt"]})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert services.claim_is_clear_cut(claim)
    assert not any("Document missing" in line["en"] for line in claim.working)
    assert 'data-testid="approve"' in client.get(claim.get_absolute_url()).content.decode()


def test_an_override_needs_the_supervisors_password_on_the_same_form(person, cast, client_for):
    claim = _record(person, cast, presented=["claim_form"])  # documents missing: not clear-cut
    client = client_for(cast["counter"])
    url = reverse("benefits:claim_decide", args=[claim.pk])
    assert client.post(url, {"action": "approve"}).status_code == 400
    form = {"action": "override", "override_reason": "Hospital sends the papers directly", "supervisor": "supervisor"}
    wrong = client.post(url, form | {"supervisor_password": "not-the-password"})
    assert wrong.status_code == 400 and "username or password is wrong" in wrong.content.decode()
    # The verifier's password is right, but a verifier may not confirm an override.
    verifier = client.post(url, form | {"supervisor": "verifier", "supervisor_password": "correct-horse-battery"})
    assert verifier.status_code == 400 and "second officer" in verifier.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.EXAMINED and claim.override_confirmed_by is None

    right = client.post(url, form | {"supervisor_password": "correct-horse-battery"})
    assert right.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.override_confirmed_by) == (Claim.Status.APPROVED, cast["supervisor"])
    assert claim.override_reason == "Hospital sends the papers directly"


def test_a_claim_not_clear_cut_is_referred_or_rejected_with_a_note(person, cast, client_for):
    claim = _record(person, cast, presented=["claim_form"])
    client = client_for(cast["counter"])
    url = reverse("benefits:claim_decide", args=[claim.pk])
    refused = client.post(url, {"action": "refer", "note": ""})
    assert refused.status_code == 400 and "Say what the back office should check" in refused.content.decode()
    assert client.post(url, {"action": "refer", "note": "Check the hospital record"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REFERRED
    # A verifier in the back office rejects it: the rules allow it, so a note is needed.
    verifier = client_for(cast["verifier"])
    assert verifier.post(url, {"action": "reject", "note": ""}).status_code == 400
    assert verifier.post(url, {"action": "reject", "note": "No treatment on that day"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED and claim.adjudicated_by == cast["verifier"]


ACCESS = [
    # (user, page, expected status)
    ("counter", "claim", 200),
    ("counter", "claim_new", 200),
    ("counter", "claim_list", 200),
    ("verifier", "claim", 200),
    ("verifier", "claim_list", 200),
    ("supervisor", "claim", 200),
    ("supervisor", "claim_new", 403),
    ("supervisor", "claim_list", 200),
    ("other_supervisor", "claim", 404),
    ("other_supervisor", "claim_slip", 404),
    ("national", "claim", 200),
    ("outsider", "claim", 403),
    ("outsider", "claim_list", 403),
    ("outsider", "claim_new", 403),
]


@pytest.mark.parametrize(("who", "page", "status"), ACCESS)
def test_claim_page_access(person, cast, client_for, who, page, status):
    claim = _record(person, cast, presented=PRESENTED)
    args = {"claim": [claim.pk], "claim_slip": [claim.pk], "claim_new": [person.pk], "claim_list": []}[page]
    assert client_for(cast[who]).get(reverse(f"benefits:{page}", args=args)).status_code == status


def test_a_decision_by_a_user_without_the_role_is_refused(person, cast, client_for):
    claim = _record(person, cast, presented=PRESENTED)
    national = client_for(cast["national"])  # sees every office, decides nothing
    assert national.post(reverse("benefits:claim_decide", args=[claim.pk]), {"action": "approve"}).status_code == 403
    other = client_for(cast["other_supervisor"])
    assert other.post(reverse("benefits:claim_decide", args=[claim.pk]), {"action": "approve"}).status_code == 404
    claim.refresh_from_db()
    assert claim.status == Claim.Status.EXAMINED


def test_the_work_queue_lists_referred_claims_first_in_a_fixed_number_of_queries(
    person, cast, client_for, django_assert_max_num_queries, offices
):
    first = _record(person, cast, event_date=_event() - datetime.timedelta(days=20))
    second = _record(person, cast, event_date=_event() - datetime.timedelta(days=10))
    referred = _record(person, cast, presented=["claim_form"])
    services.claim_refer(claim=referred, officer=cast["counter"], note="Check")
    decided = _record(person, cast, event_date=_event() - datetime.timedelta(days=1), presented=PRESENTED)
    services.claim_adjudicate(claim=decided, officer=cast["counter"], approve=True)
    employer = employer_make(offices["1001"], cast["counter"], n=812)
    for n in range(5):
        other = employee_make(employer, 820 + n, cast["counter"], started_on=datetime.date(2024, 1, 1)).person
        _record(other, cast, benefit=Benefit.DENTAL, details={"amount": "500"})
    client = client_for(cast["verifier"])
    with django_assert_max_num_queries(12):
        html = client.get(reverse("benefits:claim_list")).content.decode()
    order = [int(part.split('"')[0]) for part in html.split('data-claim="')[1:]]
    assert order[:3] == [referred.pk, first.pk, second.pk] and decided.pk not in order and len(order) == 8

    dental = client.get(reverse("benefits:claim_list"), {"benefit": "dental", "status": "open"}).content.decode()
    assert dental.count('data-claim="') == 5
    approved = client.get(reverse("benefits:claim_list"), {"status": "approved"}).content.decode()
    assert f'data-claim="{decided.pk}"' in approved and approved.count('data-claim="') == 1
    today = _be(timezone.localdate())
    assert (
        client.get(reverse("benefits:claim_list"), {"recorded_from": today}).content.decode().count('data-claim="') == 8
    )
    other_office = client_for(cast["other_supervisor"]).get(reverse("benefits:claim_list")).content.decode()
    assert 'data-claim="' not in other_office


def test_the_person_page_shows_the_claims_and_a_link_to_record_one(person, cast, client_for):
    claim = _record(person, cast, presented=PRESENTED)
    html = client_for(cast["counter"]).get(person.get_absolute_url()).content.decode()
    assert 'data-testid="record-claim"' in html and 'accesskey="c"' in html
    assert claim.get_absolute_url() in html
    supervisor = client_for(cast["supervisor"]).get(person.get_absolute_url()).content.decode()
    assert claim.get_absolute_url() in supervisor and 'data-testid="record-claim"' not in supervisor


def test_the_console_opens_the_claim_recording_page_for_a_sickness_ticket(person, cast, client_for):
    from queueing import services as queue
    from queueing.models import Counter, ServiceKind
    from tests.factories import queue_office

    office = queue_office(person.office, counters=1)
    counter = Counter.objects.get(office=office)
    sickness = office.services.get(kind=ServiceKind.SICKNESS)
    counter.services.add(sickness)
    queue.counter_sign_in(counter=counter, officer=cast["counter"])
    queue.ticket_issue(service=sickness, customer_kind="insured", customer_ref=person.national_id)
    queue.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    response = client_for(cast["counter"]).post(reverse("queueing:console_case", args=[counter.pk]))
    assert response["Location"] == reverse("benefits:claim_new", args=[person.pk]) + "?benefit=sickness"


def test_the_claims_menu_entry_is_shown_to_those_who_see_claims(cast, client_for):
    assert 'data-menu="claims"' in client_for(cast["verifier"]).get("/").content.decode()
    assert 'data-menu="claims"' not in client_for(cast["outsider"]).get("/").content.decode()
