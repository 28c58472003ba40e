"""Merging two insured person records (issue 13, finding 3): every record that points at the
duplicate moves (found from the model graph), plainly different persons need a supervisor's
confirmation with a reason, the page shows the differences first, and a supervisor can undo it."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from benefits import services as benefits
from benefits.models import Benefit, Claim
from contributions import services as contributions
from contributions.models import ContributionMonth, Payment, StatementLine
from contributions.services import LineInput
from registry import merging, services
from registry.models import InsuredPerson, PersonMerge, SectionSpell
from sso.core.months import month_add, month_first
from tests.factories import BankAccountFactory, employee_make, employer_make, pin_make

D = datetime.date
TODAY = timezone.localdate()
EVENT = TODAY - datetime.timedelta(days=3)


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def employer(cast, offices):
    return employer_make(offices["1001"], cast["counter"], n=1, registered_on=D(2010, 1, 1))


@pytest.fixture
def other_employer(cast, offices):
    return employer_make(offices["1001"], cast["counter"], n=3, registered_on=D(2010, 1, 1))


@pytest.fixture
def kept(employer, cast):
    """สมชายข ใจดี, hired in 2020 and never paid for: no contribution months."""
    return employee_make(employer, 1, cast["counter"], started_on=D(2020, 1, 1)).person


@pytest.fixture
def duplicate(other_employer, cast):
    """The same man registered again by another employer under another ID (สมชายคก ใจดี)."""
    return employee_make(other_employer, 20, cast["counter"], started_on=D(2021, 1, 1)).person


@pytest.fixture
def stranger(other_employer, cast):
    """Plainly someone else: a woman, born another day, with another name."""
    return employee_make(
        other_employer,
        30,
        cast["counter"],
        started_on=D(2021, 1, 1),
        title="004",
        first_name_th="มานี",
        last_name_th="มีนา",
        first_name_en="Manee",
        last_name_en="Meena",
        birth_date=D(1985, 6, 1),
        sex="F",
    ).person


def _paid_statements(employer, person, officer, count=12):
    """`count` monthly statements listing `person`, each paid: statement lines and months."""
    last = month_add(month_first(EVENT), -1)
    for n in range(count):
        statement = contributions.statement_submit(
            officer=officer,
            employer=employer,
            branch=employer.branches.get(number="000000"),
            period=month_add(last, -n),
            lines=[LineInput(line=1, national_id=person.national_id, wage=Decimal("15000"))],
            verify=False,
        )
        due = contributions.statement_amount_due(statement)
        contributions.statement_pay(officer=officer, statement=statement, amount=due.total, method="cash")


def _account(person):
    BankAccountFactory(person=person, account_number="1234567890", valid_from=D(2021, 1, 1))


def _snapshot():
    return (
        PersonMerge.objects.count(),
        sorted(InsuredPerson.objects.values_list("pk", "status", "merged_into_id")),
        sorted(StatementLine.objects.values_list("pk", "person_id")),
        sorted(ContributionMonth.objects.values_list("pk", "person_id")),
        sorted(Claim.objects.values_list("pk", "person_id")),
        sorted(SectionSpell.objects.values_list("pk", "person_id", "valid_to")),
    )


def _refused(field, call):
    before = _snapshot()
    with pytest.raises(ValidationError) as info:
        call()
    assert field in info.value.message_dict, info.value.message_dict
    assert _snapshot() == before
    return info.value.message_dict[field][0]


# What moves -----------------------------------------------------------------------------


def test_the_survivor_gets_the_duplicates_months_and_statement_lines_and_a_claim_on_it_is_eligible(
    kept, duplicate, other_employer, cast
):
    _paid_statements(other_employer, duplicate, cast["counter"])
    _account(kept)
    assert ContributionMonth.objects.filter(person=duplicate).count() == 12
    assert not ContributionMonth.objects.filter(person=kept).exists()

    services.person_merge(officer=cast["verifier"], keep=kept, drop=duplicate)

    assert ContributionMonth.objects.filter(person=kept).count() == 12
    assert StatementLine.objects.filter(person=kept).count() == 12
    assert not ContributionMonth.objects.filter(person=duplicate).exists()
    assert not StatementLine.objects.filter(person=duplicate).exists()
    assert not Payment.objects.filter(person=duplicate).exists()
    claim = benefits.claim_record(
        officer=cast["counter"], person=kept, benefit=Benefit.SICKNESS, event_date=EVENT, details={"days_off": 5}
    )
    claim = benefits.claim_examine(claim=claim, officer=cast["counter"])
    assert claim.eligible is True, claim.working
    duplicate.refresh_from_db()
    with pytest.raises(ValidationError):
        benefits.claim_record(
            officer=cast["counter"], person=duplicate, benefit=Benefit.SICKNESS, event_date=EVENT, details={}
        )


def test_a_statement_filed_under_the_merged_id_after_the_merge_counts_for_the_record_kept(
    kept, duplicate, other_employer, cast
):
    services.person_merge(officer=cast["verifier"], keep=kept, drop=duplicate)
    _paid_statements(other_employer, duplicate, cast["counter"], count=1)
    assert ContributionMonth.objects.filter(person=kept).count() == 1
    assert StatementLine.objects.filter(person=kept).count() == 1
    assert not ContributionMonth.objects.filter(person=duplicate).exists()


def test_claims_tickets_and_histories_move_and_the_merge_lists_every_id(kept, duplicate, cast, offices):
    from queueing import services as queue
    from queueing.models import Counter, Ticket
    from tests.factories import queue_office

    claim = benefits.claim_record(
        officer=cast["counter"], person=duplicate, benefit=Benefit.SICKNESS, event_date=EVENT, details={}
    )
    office = queue_office(offices["1001"], counters=1)
    ticket = queue.ticket_issue(
        service=Counter.objects.get(office=office).services.first(),
        customer_kind="insured",
        customer_ref=duplicate.national_id,
    )
    queue.ticket_case_link(ticket=ticket, case=duplicate, officer=cast["counter"])
    spells = list(duplicate.section_spells.values_list("pk", flat=True))

    services.person_merge(officer=cast["verifier"], keep=kept, drop=duplicate)

    assert Claim.objects.get(pk=claim.pk).person_id == kept.pk
    assert Ticket.objects.get(pk=ticket.pk).case == kept
    merge = PersonMerge.objects.get()
    assert merge.moved["benefits.Claim.person"] == [claim.pk]
    assert merge.moved["queueing.Ticket.case"] == [ticket.pk]
    assert merge.moved["registry.SectionSpell.person"] == spells
    # The duplicate's open section closed the day before the kept record's opened (or where it began).
    assert merge.closed["registry.SectionSpell.person"] == spells
    assert kept.section_spells.filter(valid_to__isnull=True).count() == 1
    # Audited kinds have an audit row by the officer for the move.
    assert Claim.objects.get(pk=claim.pk).history.first().history_user == cast["verifier"]
    assert Claim.objects.get(pk=claim.pk).history.first().person_id == kept.pk
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == ("merged", kept.pk)


def test_two_live_claims_for_the_same_event_refuse_the_merge_and_store_nothing(kept, duplicate, cast):
    for person in (kept, duplicate):
        benefits.claim_record(
            officer=cast["counter"], person=person, benefit=Benefit.SICKNESS, event_date=EVENT, details={}
        )
    message = _refused("drop", lambda: services.person_merge(officer=cast["verifier"], keep=kept, drop=duplicate))
    assert "claim for the same event" in message


def test_the_same_child_on_both_records_refuses_the_merge(kept, duplicate, cast):
    for person in (kept, duplicate):
        services.dependant_add(
            officer=cast["counter"],
            person=person,
            kind="child",
            first_name_th="ลูก",
            last_name_th="ใจดี",
            birth_date=D(2020, 5, 1),
            national_id=pin_make(500),
        )
    message = _refused("drop", lambda: services.person_merge(officer=cast["verifier"], keep=kept, drop=duplicate))
    assert "same child or spouse" in message


# Plainly different persons --------------------------------------------------------------


def test_plainly_different_persons_are_refused_without_a_supervisors_confirmation(kept, stranger, cast):
    verifier = cast["verifier"]
    _refused("reason", lambda: services.person_merge(officer=verifier, keep=kept, drop=stranger))
    _refused(
        "confirmed_by", lambda: services.person_merge(officer=verifier, keep=kept, drop=stranger, reason="Same man")
    )
    # Four eyes: not the officer themselves, and only someone holding the confirmation.
    for confirmer in (verifier, cast["counter"], cast["admin"]):
        _refused(
            "confirmed_by",
            lambda confirmer=confirmer: services.person_merge(
                officer=verifier, keep=kept, drop=stranger, reason="Same man", confirmed_by=confirmer
            ),
        )


def test_plainly_different_persons_merge_with_a_supervisors_confirmation_and_reason(kept, stranger, cast):
    services.person_merge(
        officer=cast["verifier"],
        keep=kept,
        drop=stranger,
        reason="The employer typed the wrong card",
        confirmed_by=cast["supervisor"],
    )
    merge = PersonMerge.objects.get()
    assert (merge.confirmed_by, merge.reason) == (cast["supervisor"], "The employer typed the wrong card")
    plain = {name for name, _kept, _merged, is_plain in merge.differences if is_plain}
    assert plain == {"sex", "birth_date", "first_name_th", "last_name_th"}


def test_a_typo_or_a_new_surname_is_not_plainly_different(kept, duplicate, stranger):
    assert not merging.person_merge_preview(keep=kept, drop=duplicate).needs_confirmation
    married = InsuredPerson(first_name_th=kept.first_name_th, last_name_th="มีสุข", sex="M", birth_date=kept.birth_date)
    assert not merging.names_differ_clearly(kept, married)
    assert merging.names_differ_clearly(kept, stranger)


def test_the_api_refuses_plainly_different_persons_and_stores_nothing(kept, stranger, cast, client_for):
    before = _snapshot()
    response = client_for(cast["verifier"]).post(
        f"/api/registry/persons/{kept.pk}/merge/", {"drop": stranger.pk}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert _snapshot() == before


# The pages ------------------------------------------------------------------------------


def _merge_url(person):
    return reverse("registry:person_merge", args=[person.pk])


def test_the_merge_page_shows_the_differences_and_what_moves_before_merging(
    kept, stranger, other_employer, cast, client_for
):
    _paid_statements(other_employer, stranger, cast["counter"], count=3)
    response = client_for(cast["verifier"]).post(_merge_url(kept), {"duplicate_national_id": stranger.national_id})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="merge-differences"' in html and html.count('data-testid="plain-difference"') == 4
    assert "Manee" in html and "Somchaib" in html
    assert 'data-testid="merge-moves"' in html and "contribution months" in html
    assert 'data-testid="merge-needs-confirmation"' in html and 'name="supervisor_password"' in html
    assert not PersonMerge.objects.exists()


def test_the_merge_page_merges_with_the_supervisors_password_and_reason(kept, stranger, cast, client_for):
    client = client_for(cast["verifier"])
    data = {"duplicate_national_id": stranger.national_id, "confirm": "on", "reason": "Wrong card"}
    wrong = client.post(_merge_url(kept), data | {"supervisor": "supervisor", "supervisor_password": "nope"})
    assert wrong.status_code == 400 and not PersonMerge.objects.exists()
    response = client.post(
        _merge_url(kept), data | {"supervisor": "supervisor", "supervisor_password": "correct-horse-battery"}
    )
    assert response.status_code == 302, response.content.decode()
    assert PersonMerge.objects.get().confirmed_by == cast["supervisor"]


def test_wrong_supervisor_passwords_on_the_merge_page_never_lock_the_supervisor_out(
    kept, stranger, cast, client_for, settings
):
    officer = client_for(cast["verifier"])
    data = {"duplicate_national_id": stranger.national_id, "confirm": "on", "reason": "Wrong card"}
    for _ in range(max(settings.AXES_FAILURE_LIMIT, settings.CONFIRM_FAILURE_LIMIT)):
        officer.post(_merge_url(kept), data | {"supervisor": "supervisor", "supervisor_password": "a-guess"})
    assert not PersonMerge.objects.exists()
    supervisor = type(officer)()
    signed_in = supervisor.post(
        "/accounts/login/", {"username": "supervisor", "password": "correct-horse-battery"}, REMOTE_ADDR="127.0.0.1"
    )
    assert signed_in.status_code == 302


def test_the_merge_page_finds_another_offices_record_and_merges_nothing_unconfirmed(kept, cast, client_for, offices):
    # A person is national (issue 15): a duplicate kept by another office is found too.
    away_employer = employer_make(offices["5000"], cast["counter"], n=9, registered_on=D(2010, 1, 1))
    away = employee_make(away_employer, 40, cast["counter"], started_on=D(2021, 1, 1)).person
    data = {"duplicate_national_id": away.national_id}
    response = client_for(cast["verifier"]).post(_merge_url(kept), data)
    assert "No record has this national ID" not in response.content.decode()
    assert away.national_id_display in response.content.decode()
    assert InsuredPerson.objects.get(pk=away.pk).status == "active"


# Undoing a merge ------------------------------------------------------------------------


def test_unmerge_restores_every_record_and_reopens_the_merged_record(kept, duplicate, other_employer, cast):
    _paid_statements(other_employer, duplicate, cast["counter"], count=3)
    claim = benefits.claim_record(
        officer=cast["counter"], person=duplicate, benefit=Benefit.SICKNESS, event_date=EVENT, details={}
    )
    before = _snapshot()
    services.person_merge(officer=cast["verifier"], keep=kept, drop=duplicate)
    merge = PersonMerge.objects.get()

    merging.person_unmerge(officer=cast["supervisor"], merge=merge, reason="Two brothers after all")

    after = _snapshot()
    assert after[1:] == before[1:]  # every row back where it was, the open section open again
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == ("active", None)
    assert Claim.objects.get(pk=claim.pk).person_id == duplicate.pk
    merge.refresh_from_db()
    assert (merge.undone_by, merge.undo_reason) == (cast["supervisor"], "Two brothers after all")
    assert duplicate.history.first().history_user == cast["supervisor"]
    with pytest.raises(ValidationError):
        merging.person_unmerge(officer=cast["supervisor"], merge=merge, reason="again")


def test_unmerge_is_refused_when_a_claim_was_recorded_on_the_survivor_since(kept, duplicate, cast):
    services.person_merge(officer=cast["verifier"], keep=kept, drop=duplicate)
    benefits.claim_record(officer=cast["counter"], person=kept, benefit=Benefit.SICKNESS, event_date=EVENT, details={})
    merge = PersonMerge.objects.get()
    assert merging.unmerge_problems(merge)
    message = _refused("merge", lambda: merging.person_unmerge(officer=cast["supervisor"], merge=merge, reason="x"))
    assert "recorded on the record kept after the merge" in message


def test_unmerge_is_refused_when_a_moved_record_changed_since(kept, duplicate, cast):
    claim = benefits.claim_record(
        officer=cast["counter"], person=duplicate, benefit=Benefit.SICKNESS, event_date=EVENT, details={}
    )
    services.person_merge(officer=cast["verifier"], keep=kept, drop=duplicate)
    benefits.claim_withdraw(claim=claim, officer=cast["counter"], note="Not needed")
    message = _refused(
        "merge",
        lambda: merging.person_unmerge(officer=cast["supervisor"], merge=PersonMerge.objects.get(), reason="x"),
    )
    assert "changed after the merge" in message


def test_only_a_supervisor_undoes_a_merge(kept, duplicate, cast, client_for):
    services.person_merge(officer=cast["verifier"], keep=kept, drop=duplicate)
    merge = PersonMerge.objects.get()
    with pytest.raises(PermissionDenied):
        merging.person_unmerge(officer=cast["verifier"], merge=merge, reason="x")
    url = reverse("registry:person_unmerge", args=[merge.pk])
    assert client_for(cast["verifier"]).get(url).status_code == 403
    assert client_for(cast["other_supervisor"]).get(url).status_code == 404
    supervisor = client_for(cast["supervisor"])
    page = supervisor.get(kept.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page and 'data-testid="unmerge"' in page
    assert supervisor.post(url, {"reason": ""}).status_code == 400
    response = supervisor.post(url, {"reason": "Two brothers"})
    assert response.status_code == 302 and response["Location"] == duplicate.get_absolute_url()
    assert InsuredPerson.objects.get(pk=duplicate.pk).status == "active"


# The model graph ------------------------------------------------------------------------


def test_every_reference_to_an_insured_person_has_a_merge_policy():
    """A new model pointing at a person must say here what a merge does with its rows."""
    labels = {ref.label for ref in merging.references()}
    assert labels - set(merging.POLICIES) == set(), "add these to registry.merging.POLICIES"
    assert set(merging.POLICIES) - labels == set(), "these policies name fields that no longer exist"
    assert {"contributions.ContributionMonth.person", "contributions.StatementLine.person"} <= labels
    assert {"benefits.Claim.person", "queueing.Ticket.case"} <= labels
    assert not any(label.split(".")[1].startswith("Historical") for label in labels)


def test_a_reference_without_a_policy_stops_every_merge(kept, duplicate, cast, monkeypatch):
    monkeypatch.delitem(merging.POLICIES, "contributions.ContributionMonth.person")
    before = _snapshot()
    with pytest.raises(ImproperlyConfigured):
        services.person_merge(officer=cast["verifier"], keep=kept, drop=duplicate)
    assert _snapshot() == before
