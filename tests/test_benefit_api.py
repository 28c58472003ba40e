"""The claims API (read-only): the office's claims with the work queue's filter, paginated, and
one claim with its documents and steps; permission-checked like the claims pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from benefits import services
from benefits.models import Benefit, Claim
from tests.factories import StaffFactory, employee_make, employer_make

TODAY = datetime.date(2026, 3, 20)
LIST = "/api/benefits/claims/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _claims(office, officer, n, count):
    employer = employer_make(office, officer, n=n)
    claims = []
    for i in range(count):
        person = employee_make(employer, n * 10 + i, officer, started_on=datetime.date(2024, 1, 1)).person
        claim = services.claim_record(
            officer=officer,
            person=person,
            benefit=Benefit.SICKNESS if i % 2 == 0 else Benefit.DENTAL,
            event_date=datetime.date(2026, 3, 2),
            details={"days_off": 10} if i % 2 == 0 else {"amount": "500"},
            today=TODAY,
        )
        claims.append(services.claim_examine(claim=claim, officer=officer))
    return claims


@pytest.fixture
def claims(cast, offices):
    return _claims(offices["1001"], cast["counter"], 871, 3)


@pytest.fixture
def other_claim(offices):
    counter = StaffFactory(username="other_counter", office=offices["5000"], roles=["counter_officer"])
    return _claims(offices["5000"], counter, 872, 1)[0]


def test_the_list_is_the_offices_claims_filtered_and_paginated(claims, other_claim, cast, client_for):
    answer = client_for(cast["counter"]).get(LIST)
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 3 and {row["id"] for row in body["results"]} == {claim.pk for claim in claims}
    row = next(row for row in body["results"] if row["id"] == claims[0].pk)
    assert row["office"] == "1001" and row["benefit"] == "sickness" and row["status"] == "examined"
    assert row["national_id"] == claims[0].person.national_id
    dental = client_for(cast["counter"]).get(LIST, {"benefit": "dental"}).json()
    assert [row["id"] for row in dental["results"]] == [claims[1].pk]
    assert client_for(cast["counter"]).get(LIST, {"status": "approved"}).json()["count"] == 0
    assert client_for(cast["counter"]).get(LIST, {"status": "open"}).json()["count"] == 3
    # Another office's claims are seen by those who see every office only.
    assert client_for(cast["national"]).get(LIST).json()["count"] == 4


def test_a_claim_comes_with_its_documents_and_steps(claims, other_claim, cast, client_for):
    claim = claims[0]
    body = client_for(cast["supervisor"]).get(reverse("benefits-claim-detail", args=[claim.pk])).json()
    assert body["id"] == claim.pk and body["details"] == {"days_off": 10}
    assert [(step["from_status"], step["to_status"], step["by"]) for step in body["steps"]] == [
        ("", "recorded", "counter"),
        ("recorded", "examined", "counter"),
    ]
    assert {document["code"] for document in body["documents"]} >= {"claim_form", "medical_certificate"}
    assert body["working"] and set(body["working"][0]) == {"th", "en"}
    # Another office's claim is not found, like a missing one; a role without the claims is 403.
    other = reverse("benefits-claim-detail", args=[other_claim.pk])
    assert client_for(cast["supervisor"]).get(other).status_code == 404
    assert client_for(cast["outsider"]).get(LIST).status_code == 403


def test_the_list_costs_the_same_queries_for_many_claims(claims, cast, client_for, django_assert_max_num_queries):
    client = client_for(cast["counter"])
    client.get(LIST)  # warm: session, permissions
    with django_assert_max_num_queries(7):
        assert client.get(LIST).json()["count"] == 3
    _claims(cast["counter"].office, cast["counter"], 873, 5)
    with django_assert_max_num_queries(7):
        assert client.get(LIST).json()["count"] == 8
    detail = reverse("benefits-claim-detail", args=[claims[0].pk])
    # The claim, its documents, steps, payment orders, appeals and overpayments to recover.
    with django_assert_max_num_queries(11):
        assert client.get(detail).status_code == 200
    assert Claim.objects.count() == 8
