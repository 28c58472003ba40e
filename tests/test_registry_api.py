"""The registry API: reads, the counter forms, refusals in Thai and English, roles and office scope."""

import datetime
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from registry import services
from registry.models import (
    Branch,
    Dependant,
    Employer,
    Employment,
    HospitalRegistration,
    InsuredPerson,
    SectionSpell,
)
from tests.factories import (
    HospitalFactory,
    contribution_months_make,
    employee_make,
    employer_make,
    name_tag,
    pin_make,
    tax_id_make,
)

pytestmark = pytest.mark.django_db

API = "/api/registry"
DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


@pytest.fixture
def world(cast, offices):
    """Two employers of office 1001 and one of 5000, with employees, and two hospitals."""
    counter = cast["counter"]
    home = employer_make(offices["1001"], officer=counter, n=1)
    away = employer_make(offices["5000"], officer=cast["other_supervisor"], n=2)
    person = employee_make(home, 1, officer=counter)
    twin = employee_make(home, 2, officer=counter)
    stranger = employee_make(away, 3, officer=cast["other_supervisor"])
    return SimpleNamespace(
        counter=counter,
        home=home,
        away=away,
        person=person.person,
        job=person,
        twin=twin.person,
        stranger=stranger.person,
        stranger_job=stranger,
        hospital=HospitalFactory(code="H00001"),
        other_hospital=HospitalFactory(code="H00002"),
    )


def duplicate_make(world):
    """A second record of world.person, registered at the counter under Section 40 with another ID."""
    spell = services.section40_register(
        officer=world.counter, option=1, national_id=pin_make(4), title="003", first_name_th="สมชายข",
        last_name_th="ใจดี", birth_date=datetime.date(1990, 1, 1), sex="M",
    )  # fmt: skip
    return spell.person


@pytest.fixture
def api(client_for, cast):
    return client_for(cast["counter"])


@pytest.fixture
def token_api(cast):
    """The counter officer by token, as API clients call: no session reads or writes to count."""
    token = Token.objects.create(user=cast["counter"])
    return Client(headers={"Authorization": f"Token {token.key}"})


def post(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def hire(employer, n, **fields):
    """An SSO 1-03 body for a new person."""
    return {
        "national_id": pin_make(n),
        "title": "004",
        "first_name_th": f"สมหญิง{name_tag(n)}",
        "last_name_th": "ใจงาม",
        "first_name_en": f"Somying{name_tag(n, 'abcdefghij')}",
        "last_name_en": "Jaingam",
        "birth_date": "1995-05-05",
        "sex": "F",
        "employer": employer.account_number,
        "started_on": str(today() - 5 * DAY),
        "monthly_wage": "15000.00",
    } | fields


def counts():
    return (
        InsuredPerson.objects.count(),
        Employment.objects.count(),
        Employer.objects.count(),
        SectionSpell.objects.count(),
        HospitalRegistration.objects.count(),
    )


def refused(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == field, body
    assert field in body["fields"]
    assert body["detail_th"] and body["detail_en"]
    return body


# Reads --------------------------------------------------------------------------------


def test_person_list_shows_the_offices_persons_with_their_current_section(api, world):
    rows = api.get(f"{API}/persons/").json()["results"]
    assert {row["national_id"] for row in rows} == {world.person.national_id, world.twin.national_id}
    row = next(row for row in rows if row["id"] == world.person.pk)
    assert row["current_section"] == "33" and row["office"] == "1001" and row["status"] == "active"


def test_person_list_filters_by_name_section_and_employer(api, world, cast):
    services.employee_leave(officer=cast["counter"], employment=world.job, ended_on=today(), reason="resigned")
    by_name = api.get(f"{API}/persons/", {"q": "somchaic"}).json()["results"]
    assert by_name[0]["id"] == world.twin.pk  # best match first
    by_id = api.get(f"{API}/persons/", {"q": world.person.national_id_display}).json()["results"]
    assert [row["id"] for row in by_id] == [world.person.pk]
    insured = api.get(f"{API}/persons/", {"section": "33"}).json()["results"]
    assert [row["id"] for row in insured] == [world.twin.pk]
    employed = api.get(f"{API}/persons/", {"employer": world.home.account_number}).json()["results"]
    assert [row["id"] for row in employed] == [world.twin.pk]
    ceased = api.get(f"{API}/persons/", {"status": "ceased", "q": "ใจดี"}).json()["results"]
    assert [row["id"] for row in ceased] == [world.person.pk]


def test_person_detail_has_histories_open_jobs_dependants_and_completeness(api, world, cast):
    services.hospital_change(officer=cast["counter"], person=world.person, hospital=world.hospital, valid_from=today())
    body = api.get(f"{API}/persons/{world.person.pk}/").json()
    assert body["national_id"] == world.person.national_id
    assert body["current_section"] == "33" and body["section"]["valid_from"] == "2020-01-01"
    assert body["hospital"]["hospital"] == "H00001"
    assert body["bank_account"] is None
    assert [job["employer"] for job in body["employments"]] == [world.home.account_number]
    assert body["dependants"] == []
    assert 0 <= body["completeness"]["percent"] < 100
    sickness = body["completeness"]["benefits"][0]
    assert sickness["benefit"] and sickness["missing"]  # no bank account, no address


def test_employer_list_and_detail_include_branches(api, world):
    rows = api.get(f"{API}/employers/").json()["results"]
    assert [row["account_number"] for row in rows] == [world.home.account_number]
    body = api.get(f"{API}/employers/{world.home.account_number}/").json()
    assert body["branches"][0]["number"] == Branch.HEAD_OFFICE and body["responsible_office"] == "1001"
    found = api.get(f"{API}/employers/", {"q": world.home.tax_id}).json()["results"]
    assert [row["account_number"] for row in found] == [world.home.account_number]
    assert api.get(f"{API}/employers/", {"status": "ceased"}).json()["results"] == []


def test_employment_list_is_the_offices_employment(api, world):
    rows = api.get(f"{API}/employments/").json()["results"]
    assert {row["person"]["id"] for row in rows} == {world.person.pk, world.twin.pk}
    one = api.get(f"{API}/employments/", {"person": world.person.national_id_display}).json()["results"]
    assert [row["id"] for row in one] == [world.job.pk]


def test_hospitals_and_banks_are_reference_data(api, world):
    assert {row["code"] for row in api.get(f"{API}/hospitals/").json()["results"]} == {"H00001", "H00002"}
    assert api.get(f"{API}/banks/002/").json()["name_en"] == "Bangkok Bank"


# The national-ID lookup ---------------------------------------------------------------


def test_lookup_by_national_id_with_or_without_dashes(api, world):
    for typed in (world.person.national_id, world.person.national_id_display):
        response = api.get(f"{API}/persons/by-national-id/{typed}/")
        assert response.status_code == 200
        assert response.json() == {
            "id": world.person.pk,
            "national_id": world.person.national_id,
            "id_type": "pin",
            "title": "003",
            "first_name_th": "สมชายข",
            "last_name_th": "ใจดี",
            "first_name_en": "Somchaib",
            "last_name_en": "Jaidee",
            "birth_date": "1990-01-01",
            "sex": "M",
            "status": "active",
            "office": "1001",
            "current_section": "33",
            "s40_option": None,
        }


@pytest.mark.parametrize("typed", [pin_make(99), "123", "not-a-number-x"])
def test_lookup_of_an_unknown_or_malformed_id_is_not_found(api, world, typed):
    assert api.get(f"{API}/persons/by-national-id/{typed}/").status_code == 404


def test_lookup_is_one_query_after_the_token(token_api, world, django_assert_max_num_queries):
    url = f"{API}/persons/by-national-id/{world.person.national_id}/"
    assert token_api.get(url).status_code == 200  # permissions are now in the cache
    with django_assert_max_num_queries(2):  # the token with its user, the person
        assert token_api.get(url).status_code == 200
    # Another office's person is found too (a person is national), and the read is logged.
    with django_assert_max_num_queries(3):  # the token with its user, the person, the read's log
        assert token_api.get(f"{API}/persons/by-national-id/{world.stranger.national_id}/").status_code == 200
    with django_assert_max_num_queries(2):
        assert token_api.get(f"{API}/persons/by-national-id/{pin_make(98)}/").status_code == 404


# Counter forms ------------------------------------------------------------------------


def test_it_registers_an_employer_with_its_head_office(api, cast):
    response = post(
        api,
        f"{API}/employers/",
        {"name_th": "บริษัท ใหม่ จำกัด", "name_en": "New Co Ltd", "tax_id": tax_id_make(50), "province": "10",
         "registered_on": "2024-01-02"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["account_number"]) == 10 and body["account_number"].startswith("10")
    assert body["responsible_office"] == "1001" and [b["number"] for b in body["branches"]] == ["000000"]
    assert Employer.objects.get(account_number=body["account_number"]).history.first().history_user == cast["counter"]


def test_it_adds_a_branch_and_ceases_an_employer(api, world, cast):
    url = f"{API}/employers/{world.home.account_number}"
    response = post(api, f"{url}/branches/", {"number": "1", "name": "สาขา 1", "province": "10"})
    assert response.status_code == 201 and response.json()["number"] == "000001"
    assert refused(post(api, f"{url}/branches/", {"number": "000001", "name": "x", "province": "10"}), "number")
    refused(post(api, f"{url}/cease/", {"ceased_on": str(today())}), "ceased_on")  # employees still there
    for job in world.home.employments.all():
        services.employee_leave(officer=cast["counter"], employment=job, ended_on=today(), reason="laid_off")
    response = post(api, f"{url}/cease/", {"ceased_on": str(today())})
    assert response.status_code == 200 and response.json()["status"] == "ceased"


def test_it_registers_an_employee_with_a_new_person(api, world):
    response = post(api, f"{API}/employments/", hire(world.home, 10, hospital="H00001"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["late_registration"] is False and body["branch"] == "000000" and body["monthly_wage"] == "15000.00"
    person = InsuredPerson.objects.get(national_id=pin_make(10))
    assert person.office.code == "1001" and body["person"]["id"] == person.pk
    assert person.section_spells.get(valid_to=None).section == "33"
    assert person.hospital_registrations.get().hospital.code == "H00001"


def test_a_registration_filed_after_30_days_is_flagged_late(api, world):
    response = post(api, f"{API}/employments/", hire(world.home, 11, started_on=str(today() - 60 * DAY)))
    assert response.status_code == 201 and response.json()["late_registration"] is True


def test_an_already_insured_person_joins_without_person_fields(api, world, cast):
    services.employee_leave(officer=cast["counter"], employment=world.job, ended_on=today() - DAY, reason="resigned")
    body = {"national_id": world.person.national_id, "employer": world.home.account_number, "started_on": str(today())}
    response = post(api, f"{API}/employments/", body)
    assert response.status_code == 201, response.content
    assert response.json()["person"]["id"] == world.person.pk


def test_it_notifies_a_leaver_once(api, world):
    url = f"{API}/employments/{world.job.pk}/leave/"
    response = post(api, url, {"ended_on": str(today() - DAY), "leaving_reason": "resigned"})
    assert response.status_code == 200, response.content
    assert response.json()["ended_on"] == str(today() - DAY)
    world.person.refresh_from_db()
    assert world.person.status == "ceased"
    before = counts()
    refused(post(api, url, {"ended_on": str(today()), "leaving_reason": "laid_off"}), "ended_on")
    assert counts() == before
    assert Employment.objects.get(pk=world.job.pk).leaving_reason == "resigned"


def test_it_changes_the_hospital_sets_the_bank_account_and_adds_a_dependant(api, world):
    url = f"{API}/persons/{world.person.pk}"
    response = post(api, f"{url}/hospital/", {"hospital": "H00002", "valid_from": str(today())})
    assert response.status_code == 201 and response.json()["hospital"] == "H00002"
    response = post(
        api,
        f"{url}/bank-account/",
        {
            "bank": "002",
            "account_number": "123-4-56789-0",
            "account_name": "Somchai Jaidee",
            "valid_from": "2024-01-01",
        },
    )
    assert response.status_code == 201 and response.json()["account_number"] == "1234567890"
    response = post(
        api,
        f"{url}/dependants/",
        {"kind": "child", "first_name_th": "ด.ช. หนึ่ง", "last_name_th": "ใจดี", "birth_date": "2020-02-02",
         "birth_certificate_id": "BC-1"},
    )  # fmt: skip
    assert response.status_code == 201 and response.json()["kind"] == "child"
    body = api.get(f"{url}/").json()
    assert body["hospital"]["hospital"] == "H00002" and body["bank_account"]["bank"] == "002"
    assert [dep["first_name_th"] for dep in body["dependants"]] == ["ด.ช. หนึ่ง"]


def test_it_corrects_a_persons_details(api, world):
    response = api.patch(
        f"{API}/persons/{world.person.pk}/", {"address": "1 ถนนสุขุมวิท", "phone": "0812345678"}, "application/json"
    )
    assert response.status_code == 200, response.content
    world.person.refresh_from_db()
    assert (world.person.address, world.person.phone, world.person.first_name_th) == (
        "1 ถนนสุขุมวิท",
        "0812345678",
        "สมชายข",
    )
    refused(
        api.patch(f"{API}/persons/{world.person.pk}/", {"birth_date": "2999-01-01"}, "application/json"), "birth_date"
    )


def _paid_a_year(world, cast, left_on):
    """Twelve months of Section 33 contributions paid up to the month of leaving: what Section
    39 counts (months paid, not months on record)."""
    from sso.core.months import month_first

    contribution_months_make(world.person, cast["counter"], last_period=month_first(left_on), count=12)


def test_section_39_after_a_year_of_work(api, world, cast):
    _paid_a_year(world, cast, today() - 30 * DAY)
    services.employee_leave(
        officer=cast["counter"], employment=world.job, ended_on=today() - 30 * DAY, reason="resigned"
    )
    response = post(api, f"{API}/persons/{world.person.pk}/section-39/", {})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["section"]["section"] == "39" and body["section"]["valid_from"] == str(today() - 29 * DAY)
    assert body["person"]["current_section"] == "39"


def test_section_39_needs_twelve_months_of_section_33(api, world, cast):
    job = employee_make(world.home, 20, officer=cast["counter"], started_on=today() - 150 * DAY)
    services.employee_leave(officer=cast["counter"], employment=job, ended_on=today() - 20 * DAY, reason="resigned")
    before = counts()
    body = refused(post(api, f"{API}/persons/{job.person_id}/section-39/", {}), "person")
    assert body["code"] == "months"
    assert counts() == before


def test_section_39_must_be_applied_for_within_six_months_of_leaving(api, world, cast):
    _paid_a_year(world, cast, today() - 300 * DAY)
    services.employee_leave(
        officer=cast["counter"], employment=world.job, ended_on=today() - 300 * DAY, reason="resigned"
    )
    before = counts()
    refused(post(api, f"{API}/persons/{world.person.pk}/section-39/", {}), "applied_on")
    assert counts() == before


def test_section_40_for_a_new_person_and_for_one_already_registered(api, world, cast):
    new = hire(world.home, 30) | {"s40_option": 2}
    response = post(api, f"{API}/section-40/", new)
    assert response.status_code == 201, response.content
    assert response.json()["section"]["s40_option"] == 2 and response.json()["person"]["office"] == "1001"
    services.employee_leave(officer=cast["counter"], employment=world.job, ended_on=today() - DAY, reason="resigned")
    response = post(api, f"{API}/section-40/", {"national_id": world.person.national_id, "s40_option": 1})
    assert response.status_code == 201, response.content
    assert response.json()["person"]["id"] == world.person.pk
    assert InsuredPerson.objects.filter(national_id=world.person.national_id).count() == 1


def test_section_40_refuses_a_person_insured_under_section_33(api, world):
    before = counts()
    refused(post(api, f"{API}/section-40/", {"person": world.twin.pk, "s40_option": 1}), "person")
    assert counts() == before


def test_a_verifier_merges_a_duplicate(client_for, cast, world):
    duplicate = duplicate_make(world)
    response = post(client_for(cast["verifier"]), f"{API}/persons/{world.person.pk}/merge/", {"drop": duplicate.pk})
    assert response.status_code == 200, response.content
    assert response.json()["current_section"] == "33"
    duplicate.refresh_from_db()
    assert duplicate.status == "merged" and duplicate.merged_into_id == world.person.pk
    assert world.person.section_spells.count() == 2
    refused(
        post(client_for(cast["verifier"]), f"{API}/persons/{world.person.pk}/merge/", {"drop": duplicate.pk}), "drop"
    )


def test_duplicates_check_finds_the_same_name_and_birth_date_in_any_office(api, world):
    response = api.get(
        f"{API}/persons/duplicates/", {"first_name_th": "สมชายฆ", "last_name_th": "ใจดี", "birth_date": "1990-01-01"}
    )
    assert response.status_code == 200
    found = response.json()
    assert found[0]["person"]["id"] == world.stranger.pk and found[0]["score"] == 1.0
    assert found[0]["person"]["office"] == "5000" and found[0]["person"]["current_section"] == "33"
    refused(api.get(f"{API}/persons/duplicates/", {"first_name_th": "x", "last_name_th": "y"}), "birth_date")


# Refusals: 400 naming the field, nothing stored -----------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"national_id": pin_make(40)[:-1] + str((int(pin_make(40)[-1]) + 1) % 10)}, "national_id"),
        ({"national_id": "12345"}, "national_id"),
        ({"employer": "1099999999"}, "employer"),
        ({"started_on": str(today() + 3 * DAY)}, "started_on"),
        ({"branch": "000777"}, "branch"),
        ({"hospital": "NOPE"}, "hospital"),
        ({"birth_date": None}, "birth_date"),
        ({"monthly_wage": "-1"}, "monthly_wage"),
    ],
)
def test_a_bad_employee_registration_is_refused_and_stores_nothing(api, world, change, field):
    body = {key: value for key, value in (hire(world.home, 40) | change).items() if value is not None}
    before = counts()
    refused(post(api, f"{API}/employments/", body), field)
    assert counts() == before


def test_an_employee_of_another_offices_employer_cannot_be_registered_here(api, world):
    before = counts()
    refused(post(api, f"{API}/employments/", hire(world.away, 41)), "employer")
    assert counts() == before


def test_an_employee_already_employed_there_is_refused(api, world):
    body = hire(world.home, 1)  # world.person's national ID
    before = counts()
    refused(post(api, f"{API}/employments/", body), "national_id")
    assert counts() == before


def test_an_employer_with_a_registered_tax_id_is_refused(api, world):
    body = {"name_th": "ซ้ำ", "name_en": "Again", "province": "10", "registered_on": "2024-01-01"}
    before = counts()
    refused(post(api, f"{API}/employers/", body | {"tax_id": world.home.tax_id}), "tax_id")
    refused(post(api, f"{API}/employers/", body | {"tax_id": tax_id_make(60)[:-1] + "x"}), "tax_id")
    assert counts() == before


def test_a_refusal_is_in_thai_unless_english_is_asked_for(api, world):
    thai = refused(post(api, f"{API}/employments/", {}), "national_id")
    assert thai["detail"] == thai["detail_th"]
    assert thai["fields"]["started_on"]["detail_th"] == "ฟิลด์นี้จำเป็น"
    assert thai["fields"]["started_on"]["detail_en"] == "This field is required."
    english = refused(post(api, f"{API}/employments/", {}, HTTP_ACCEPT_LANGUAGE="en"), "national_id")
    assert english["detail"] == english["detail_en"] == thai["detail_en"]
    future = hire(world.home, 42, started_on=str(today() + DAY))
    body = refused(post(api, f"{API}/employments/", future, HTTP_ACCEPT_LANGUAGE="en"), "started_on")
    assert body["detail"] == "The hire date cannot be in the future." and body["code"] == "future"


def test_a_service_message_given_with_params_is_rendered_in_each_language():
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy

    from sso.core.api.errors import Refused, service_refusals

    message = gettext_lazy("Ensure this value is greater than or equal to %(limit_value)s.")  # Django's, in Thai too
    with pytest.raises(Refused) as caught, service_refusals():
        raise ValidationError({"monthly_wage": ValidationError(message, code="min", params={"limit_value": 0})})
    field = caught.value.detail["fields"]["monthly_wage"]
    assert field["code"] == "min"
    assert field["detail_en"] == "Ensure this value is greater than or equal to 0."
    assert field["detail_th"] == "ค่านี้ต้องมากกว่าหรือเท่ากับ 0"


# Roles and office scope -----------------------------------------------------------------


def _list(client, world):
    return client.get(f"{API}/persons/")


def _lookup(client, world):
    return client.get(f"{API}/persons/by-national-id/{world.person.national_id}/")


def _view_home_person(client, world):
    return client.get(f"{API}/persons/{world.person.pk}/")


def _view_away_person(client, world):
    return client.get(f"{API}/persons/{world.stranger.pk}/")


def _register_employee(client, world):
    return post(client, f"{API}/employments/", hire(world.home, 50))


def _register_employer(client, world):
    body = {"name_th": "ก", "name_en": "A", "tax_id": tax_id_make(70), "province": "10", "registered_on": "2024-01-01"}
    return post(client, f"{API}/employers/", body)


def _change_hospital(client, world):
    return post(
        client, f"{API}/persons/{world.person.pk}/hospital/", {"hospital": "H00001", "valid_from": "2024-01-01"}
    )


def _update_person(client, world):
    return client.patch(f"{API}/persons/{world.person.pk}/", {"phone": "02-123-4567"}, "application/json")


def _merge(client, world):
    return post(client, f"{API}/persons/{world.person.pk}/merge/", {"drop": duplicate_make(world).pk})


ACTIONS = {
    "list": _list,
    "lookup": _lookup,
    "view_home": _view_home_person,
    "view_away": _view_away_person,
    "register_employee": _register_employee,
    "register_employer": _register_employer,
    "hospital": _change_hospital,
    "update": _update_person,
    "merge": _merge,
}
# Who may do what: counter officers register, verifiers also merge, supervisors only read;
# a person is national, so every office finds and reads anyone; an outsider nothing.
ACCESS = {
    "counter": [200, 200, 200, 200, 201, 201, 201, 200, 403],
    "verifier": [200, 200, 200, 200, 201, 201, 201, 200, 200],
    "supervisor": [200, 200, 200, 200, 403, 403, 403, 403, 403],
    "national": [200, 200, 200, 200, 403, 403, 403, 403, 403],
    "admin": [200, 200, 200, 200, 201, 201, 201, 200, 200],
    "other_supervisor": [200, 200, 200, 200, 403, 403, 403, 403, 403],
    "outsider": [403, 403, 403, 403, 403, 403, 403, 403, 403],
}
TABLE = [(who, action, code) for who, codes in ACCESS.items() for action, code in zip(ACTIONS, codes, strict=True)]


@pytest.mark.parametrize(("who", "action", "status"), TABLE)
def test_access_follows_role_and_office(client_for, cast, world, who, action, status):
    response = ACTIONS[action](client_for(cast[who]), world)
    assert response.status_code == status, response.content


def test_another_offices_work_is_not_found_and_not_changed(api, client_for, cast, world):
    """Another office's employers and employment are its work: 404, nothing changed (its
    persons are national: see tests/test_registry_national.py; its employers are read at any
    office, their forms are not)."""
    before = counts()
    assert api.get(f"{API}/employers/{world.away.account_number}/").status_code == 200
    for response in (
        post(
            api,
            f"{API}/employments/{world.stranger_job.pk}/leave/",
            {"ended_on": "2024-01-01", "leaving_reason": "died"},
        ),
        post(api, f"{API}/employers/{world.away.account_number}/cease/", {"ceased_on": "2024-01-01"}),
        api.get(f"{API}/employments/{world.stranger_job.pk}/"),
    ):
        assert response.status_code == 404
    assert counts() == before
    assert Employment.objects.get(pk=world.stranger_job.pk).ended_on is None


# Query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["persons/", "persons/?q=ใจดี", "employers/", "employments/", "hospitals/"])
def test_lists_take_a_fixed_number_of_queries(token_api, world, cast, offices, url, django_assert_max_num_queries):
    for n in range(100, 110):
        employee_make(world.home, n, officer=cast["counter"])
        employer_make(offices["1001"], officer=cast["counter"], n=n)
        HospitalFactory()
    assert token_api.get(f"{API}/{url}").status_code == 200  # permissions are now in the cache
    with django_assert_max_num_queries(4):  # the token, the count, the page, the employers' branches
        response = token_api.get(f"{API}/{url}")
    assert response.json()["count"] >= 10


def test_the_person_page_takes_a_fixed_number_of_queries(token_api, world, cast, django_assert_max_num_queries):
    for n in range(3):
        services.dependant_add(
            officer=cast["counter"], person=world.person, kind="child", first_name_th=f"ลูก{name_tag(n)}",
            last_name_th="ใจดี", birth_date=datetime.date(2015 + n, 1, 1), birth_certificate_id=f"BC{n}",
        )  # fmt: skip
    assert token_api.get(f"{API}/persons/{world.person.pk}/").status_code == 200
    with django_assert_max_num_queries(7):  # the token, the person, its five histories
        assert len(token_api.get(f"{API}/persons/{world.person.pk}/").json()["dependants"]) == 3
    assert Dependant.objects.count() == 3
