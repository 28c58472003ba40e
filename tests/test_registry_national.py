"""A person is national, not an office's (issue 15, part 1): any counter finds anyone by
national ID and by name (its own office's first), records a claim for them, registers their
new job without touching their record unless the officer chooses to, and every read of
another office's person is logged for the supervisors."""

import datetime

import pytest
from django.urls import reverse

from registry import selectors
from registry.models import Employment, InsuredPerson, PersonReadLog
from sso.core.scoping import office_scoped
from tests.factories import OfficeFactory, StaffFactory, employee_make, employer_make

D = datetime.date
NAME_TH = ("มาลี", "ศรีสุข")


@pytest.fixture
def home_employer(offices, cast):
    return employer_make(offices["1001"], cast["counter"], n=1501)


@pytest.fixture
def away_employer(offices, cast):
    return employer_make(offices["5000"], cast["other_supervisor"], n=1502)


@pytest.fixture
def away_person(away_employer, cast):
    """A person registered by office 5000 (Chiang Mai), whom office 1001 has never seen."""
    return employee_make(
        away_employer,
        1503,
        cast["other_supervisor"],
        first_name_th="ทองดี",
        last_name_th="มีทรัพย์",
        first_name_en="Thongdee",
        last_name_en="Meesap",
    ).person


@pytest.fixture(params=["trigram", "plain"])
def search_mode(request, settings):
    """The name search with pg_trgm (production) and without it (the embedded PostgreSQL of
    `make run`): the same persons found, in the same order, for a name typed in full."""
    settings.NAME_SEARCH_TRIGRAM = None if request.param == "trigram" else False
    if request.param == "trigram":
        assert selectors.trigram_available(), "the test database has pg_trgm"
    return request.param


# Finding anyone -------------------------------------------------------------------------


def test_a_person_of_another_office_is_found_by_exact_national_id(away_person, cast, client_for):
    counter = cast["counter"]
    assert counter.office.code == "1001" and away_person.office.code == "5000"
    assert list(selectors.person_search(away_person.national_id, counter)) == [away_person]
    dashed = away_person.national_id_display
    assert list(selectors.person_search(dashed, counter)) == [away_person]
    client = client_for(counter)
    # The registry's search box goes straight to the record; the page opens.
    response = client.get(reverse("registry:search"), {"q": away_person.national_id})
    assert response.status_code == 302 and response["Location"] == away_person.get_absolute_url()
    assert client.get(away_person.get_absolute_url()).status_code == 200
    # The API: the counter's lookup, the list's search and the record.
    lookup = client.get(f"/api/registry/persons/by-national-id/{away_person.national_id}/")
    assert lookup.status_code == 200 and lookup.json()["office"] == "5000"
    listed = client.get("/api/registry/persons/", {"q": away_person.national_id}).json()
    assert [row["national_id"] for row in listed["results"]] == [away_person.national_id]
    assert client.get(f"/api/registry/persons/{away_person.pk}/").status_code == 200
    # A list asked for without a search stays the office's own.
    assert client.get("/api/registry/persons/").json()["results"] == []


def test_a_person_of_another_office_is_found_by_thai_name(away_person, cast, client_for, search_mode):
    counter = cast["counter"]
    found = list(selectors.person_search("ทองดี มีทรัพย์", counter))
    assert found == [away_person]
    page = client_for(counter).get(reverse("registry:search"), {"q": "ทองดี มีทรัพย์"}).content.decode()
    assert away_person.get_absolute_url() in page
    listed = client_for(counter).get("/api/registry/persons/", {"q": "ทองดี"}).json()
    assert away_person.national_id in [row["national_id"] for row in listed["results"]]


def _seven_of_one_name(home_employer, away_employer, cast):
    """Seven people named มาลี ศรีสุข: 2 kept by office 1001, 5 by office 5000."""
    first, last = NAME_TH
    home = [
        employee_make(home_employer, 1510 + k, cast["counter"], first_name_th=first, last_name_th=last,
                      birth_date=D(1980 + k, 1, 1)).person
        for k in range(2)
    ]  # fmt: skip
    away = [
        employee_make(away_employer, 1520 + k, cast["other_supervisor"], first_name_th=first, last_name_th=last,
                      birth_date=D(1970 + k, 1, 1)).person
        for k in range(5)
    ]  # fmt: skip
    return home, away


def test_seven_people_of_one_name_are_all_found_this_offices_first(
    home_employer, away_employer, cast, client_for, search_mode
):
    home, away = _seven_of_one_name(home_employer, away_employer, cast)
    employee_make(home_employer, 1530, cast["counter"], first_name_th="มานี", last_name_th="ใจดี")  # not her
    found = list(selectors.person_search("มาลี ศรีสุข", cast["counter"]))
    assert len(found) == 7
    assert set(found[:2]) == set(home) and set(found[2:]) == set(away)
    # The other office sees its own five first.
    theirs = list(selectors.person_search("มาลี ศรีสุข", cast["other_supervisor"]))
    assert set(theirs[:5]) == set(away) and set(theirs[5:]) == set(home)
    # One word finds them too, this office's first.
    by_first_name = [p for p in selectors.person_search("มาลี", cast["counter"]) if p in home + away]
    assert len(by_first_name) == 7 and set(by_first_name[:2]) == set(home)
    # The page and the API list all seven, in the same order.
    page = client_for(cast["counter"]).get(reverse("registry:search"), {"q": "มาลี ศรีสุข"}).content.decode()
    positions = [page.index(person.get_absolute_url() + '"') for person in found]
    assert positions == sorted(positions)
    listed = client_for(cast["counter"]).get("/api/registry/persons/", {"q": "มาลี ศรีสุข"}).json()
    assert [row["national_id"] for row in listed["results"]] == [person.national_id for person in found]


# Serving anyone -------------------------------------------------------------------------


def test_a_claim_is_recorded_for_another_offices_person_at_the_office_doing_the_work(
    away_person, away_employer, cast, client_for
):
    from benefits.models import Claim

    client = client_for(cast["counter"])
    url = reverse("benefits:claim_new", args=[away_person.pk])
    response = client.get(url)
    assert response.status_code == 200 and away_person.national_id_display in response.content.decode()
    event = datetime.date.today() - datetime.timedelta(days=3)
    sickness = {
        "benefit": "sickness",
        "event_date": f"{event.day:02d}/{event.month:02d}/{event.year + 543}",
        "days_off": "5",
        "medical_expenses": "",
        "presented": ["claim_form", "medical_certificate", "receipt"],
    }
    response = client.post(url, sickness)
    claim = Claim.objects.get(person=away_person)
    assert claim.office == cast["counter"].office  # the work is the office's that does it
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    # The claim is 1001's work: 5000 does not see it, though the person is theirs.
    assert not office_scoped(Claim.objects.all(), cast["other_supervisor"]).exists()
    # And the person is still kept by 5000.
    away_person.refresh_from_db()
    assert away_person.office.code == "5000"
    # Office scoping still guards the work: 5000's employer and its employment are not 1001's.
    assert client.get(reverse("registry:employer_cease", args=[away_employer.pk])).status_code == 404
    assert client.get(reverse("registry:employee_leave", args=[away_person.employments.get().pk])).status_code == 404
    assert client.get(reverse("registry:employee_register", args=[away_employer.pk])).status_code == 404


# SSO 1-03 for someone already insured ----------------------------------------------------


def _form(person, **changes):
    data = {
        "id_type": "pin",
        "national_id": person.national_id,
        "title": person.title,
        "first_name_th": person.first_name_th,
        "last_name_th": person.last_name_th,
        "first_name_en": person.first_name_en,
        "last_name_en": person.last_name_en,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "nationality": person.nationality,
        "address": person.address,
        "phone": person.phone,
        "branch": "000000",
        "started_on": (datetime.date.today() - datetime.timedelta(days=5)).isoformat(),
        "monthly_wage": "15000",
    }
    return data | changes


def _identity(person):
    person.refresh_from_db()
    return {name: getattr(person, name) for name in InsuredPerson.IDENTITY_FIELDS}


def test_sso_1_03_shows_the_differences_and_changes_nothing_until_the_officer_chooses(
    away_person, home_employer, cast, client_for
):
    before = _identity(away_person)
    history = away_person.history.count()
    client = client_for(cast["counter"])
    url = reverse("registry:employee_register", args=[home_employer.pk])
    response = client.post(url, _form(away_person, first_name_th="ทองดา", phone="0812345678"))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="differences"' in html
    assert 'data-field="first_name_th"' in html and "ทองดี" in html and "ทองดา" in html
    assert 'data-field="phone"' in html and 'name="existing_person"' in html
    assert not Employment.objects.filter(person=away_person, employer=home_employer).exists()
    assert _identity(away_person) == before and away_person.history.count() == history

    # Keep: the job is registered, the record stays as it was, and 5000 keeps the person.
    response = client.post(url, _form(away_person, first_name_th="ทองดา", existing_person="keep"))
    assert response.status_code == 302
    job = Employment.objects.get(person=away_person, employer=home_employer)
    assert _identity(away_person) == before
    # The employment is the employer's office's work: 1001 sees it, 5000 does not.
    assert office_scoped(Employment.objects.filter(pk=job.pk), cast["counter"]).exists()
    assert not office_scoped(Employment.objects.filter(pk=job.pk), cast["other_supervisor"]).exists()


def test_sso_1_03_updates_the_record_only_when_chosen_and_audits_it(away_person, home_employer, cast, client_for):
    client = client_for(cast["counter"])
    url = reverse("registry:employee_register", args=[home_employer.pk])
    response = client.post(url, _form(away_person, last_name_th="มีสุข", existing_person="update"))
    assert response.status_code == 302
    away_person.refresh_from_db()
    assert away_person.last_name_th == "มีสุข" and away_person.office.code == "5000"
    change = away_person.history.filter(history_type="~", last_name_th="มีสุข").get()
    assert change.history_user == cast["counter"] and change.history_office == cast["counter"].office
    assert change.prev_record.last_name_th == "มีทรัพย์"


def test_sso_1_03_through_the_api_is_refused_until_the_officer_chooses(away_person, home_employer, cast, client_for):
    client = client_for(cast["counter"])
    body = {
        "national_id": away_person.national_id,
        "employer": home_employer.account_number,
        "started_on": (datetime.date.today() - datetime.timedelta(days=5)).isoformat(),
        "first_name_th": "ทองดา",
    }
    response = client.post("/api/registry/employments/", body, content_type="application/json")
    assert response.status_code == 400 and "existing_person" in response.json()["fields"]
    assert not Employment.objects.filter(person=away_person, employer=home_employer).exists()
    response = client.post(
        "/api/registry/employments/", body | {"existing_person": "keep"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    away_person.refresh_from_db()
    assert away_person.first_name_th == "ทองดี" and away_person.office.code == "5000"


# Reads of another office's person ----------------------------------------------------------


def test_a_read_of_another_offices_person_is_logged_once_a_day_and_ones_own_is_not(
    away_person, home_employer, cast, client_for
):
    mine = employee_make(home_employer, 1550, cast["counter"]).person
    client = client_for(cast["counter"])
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(f"/api/registry/persons/by-national-id/{mine.national_id}/").status_code == 200
    assert not PersonReadLog.objects.exists()

    assert client.get(away_person.get_absolute_url()).status_code == 200
    assert client.get(away_person.get_absolute_url()).status_code == 200
    assert client.get(f"/api/registry/persons/by-national-id/{away_person.national_id}/").status_code == 200
    read = PersonReadLog.objects.get()
    assert (read.reader, read.person, read.reader_office.code, read.person_office.code, read.via) == (
        cast["counter"], away_person, "1001", "5000", "page"
    )  # fmt: skip
    assert read.day == datetime.date.today()
    # Another officer's read is another row.
    client_for(cast["supervisor"]).get(f"/api/registry/persons/{away_person.pk}/")
    assert PersonReadLog.objects.filter(reader=cast["supervisor"], via="api").count() == 1


def test_the_supervisors_read_log_shows_only_their_offices_staff_and_persons(
    away_person, home_employer, cast, client_for, offices
):
    mine = employee_make(home_employer, 1560, cast["counter"]).person
    client_for(cast["counter"]).get(away_person.get_absolute_url())  # 1001 reads 5000's person
    client_for(cast["other_supervisor"]).get(mine.get_absolute_url())  # 5000 reads 1001's person
    third = OfficeFactory(code="7000", name_en="Third Office", name_th="สำนักงานที่สาม")
    outsider_boss = StaffFactory(username="third_supervisor", office=third, roles=["supervisor"])
    third_reader = StaffFactory(username="third_counter", office=third, roles=["counter_officer"])
    client_for(third_reader).get(away_person.get_absolute_url())  # 7000 reads 5000's person
    url = reverse("registry:person_reads")

    home_page = client_for(cast["supervisor"]).get(url).content.decode()
    assert "third_counter" not in home_page  # neither 1001's staff nor 1001's person
    assert home_page.count("<tr>") - 1 == 2  # its counter's read, and the read of its person
    away_page = client_for(cast["other_supervisor"]).get(url).content.decode()
    assert "third_counter" in away_page and away_page.count("<tr>") - 1 == 3
    third_page = client_for(outsider_boss).get(url).content.decode()
    assert "third_counter" in third_page and third_page.count("<tr>") - 1 == 1
    narrowed = client_for(cast["other_supervisor"]).get(url, {"national_id": mine.national_id}).content.decode()
    assert narrowed.count("<tr>") - 1 == 1
    # A counter officer does not see the log.
    assert client_for(cast["counter"]).get(url).status_code == 403
