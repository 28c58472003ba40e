"""Registry services and pages: registration at the counter, histories, search, duplicates,
merge, completeness, and every bad input refused with nothing stored."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from registry import selectors, services
from registry.models import (
    Bank,
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

D = datetime.date
TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _english():
    # Service messages are checked in English here; pages set their own language per request.
    with translation.override("en"):
        yield


@pytest.fixture
def employer(cast, offices):
    return employer_make(offices["1001"], cast["counter"], n=1, registered_on=D(2010, 1, 1))


@pytest.fixture
def job(employer, cast):
    """An employee hired on 1 Jan 2020 (filed the same day)."""
    return employee_make(employer, 1, cast["counter"], started_on=D(2020, 1, 1))


def _counts():
    return (
        InsuredPerson.objects.count(),
        Employment.objects.count(),
        SectionSpell.objects.count(),
        HospitalRegistration.objects.count(),
        Employer.objects.count(),
    )


def _refused(field, call):
    """Run `call`, expect a ValidationError naming `field`, and that nothing was stored."""
    before = _counts()
    with pytest.raises(ValidationError) as info:
        call()
    assert field in info.value.message_dict, info.value.message_dict
    assert _counts() == before
    return info.value.message_dict[field][0]


# Employers ------------------------------------------------------------------------------


def test_it_registers_an_employer_with_an_account_number_and_a_head_office(employer):
    assert len(employer.account_number) == 10
    assert employer.account_number.startswith(employer.province.code)
    assert [b.number for b in employer.branches.all()] == ["000000"]
    assert employer.history.first().history_user.username == "counter"


def test_it_refuses_a_tax_id_with_a_wrong_check_digit(cast, offices):
    bad = tax_id_make(5)[:-1] + str((int(tax_id_make(5)[-1]) + 1) % 10)
    message = _refused("tax_id", lambda: employer_make(offices["1001"], cast["counter"], n=5, tax_id=bad))
    assert "check digit" in message


def test_it_refuses_a_second_active_employer_with_the_same_tax_id(employer, cast, offices):
    _refused("tax_id", lambda: employer_make(offices["1001"], cast["counter"], n=1))


def test_it_refuses_to_cease_an_employer_with_employees(job, cast):
    _refused(
        "ceased_on", lambda: services.employer_cease(officer=cast["counter"], employer=job.employer, ceased_on=TODAY())
    )


# Employees (SSO 1-03) -------------------------------------------------------------------


def test_it_registers_an_employee_with_a_section_33_spell(job):
    person = job.person
    assert person.status == InsuredPerson.Status.ACTIVE
    assert person.office == job.employer.responsible_office
    spell = person.section_spells.get()
    assert (spell.section, spell.valid_from, spell.valid_to) == ("33", D(2020, 1, 1), None)
    assert not job.late_registration


def test_it_accepts_and_flags_a_registration_filed_after_30_days(employer, cast):
    late = employee_make(employer, 2, cast["counter"], started_on=D(2024, 1, 1), filed_on=D(2024, 2, 15))
    on_time = employee_make(employer, 3, cast["counter"], started_on=D(2024, 1, 1), filed_on=D(2024, 1, 31))
    assert late.late_registration and not on_time.late_registration


def test_it_refuses_an_invalid_national_id_check_digit(employer, cast):
    bad = pin_make(7)[:-1] + str((int(pin_make(7)[-1]) + 1) % 10)
    message = _refused(
        "national_id",
        lambda: services.employee_register(
            officer=cast["counter"],
            employer=employer,
            started_on=D(2024, 1, 1),
            national_id=bad,
            title="003",
            first_name_th="ทดสอบ",
            last_name_th="ระบบ",
            birth_date=D(1990, 1, 1),
            sex="M",
        ),
    )
    assert "check digit" in message


def test_it_accepts_a_foreign_workers_id_that_fails_the_pin_check(employer, cast):
    job = employee_make(employer, 0, cast["counter"], national_id="0012345678901", id_type="foreign")
    assert job.person.id_type == "foreign"


def test_it_refuses_a_hire_date_in_the_future(employer, cast):
    future = TODAY() + datetime.timedelta(days=3)
    _refused("started_on", lambda: employee_make(employer, 8, cast["counter"], started_on=future, filed_on=TODAY()))


def test_it_refuses_to_register_someone_already_employed_by_the_employer(job, cast):
    _refused("national_id", lambda: employee_make(job.employer, 1, cast["counter"], started_on=D(2021, 1, 1)))


def test_it_refuses_a_duplicate_national_id_on_a_new_record(job, cast):
    _refused(
        "national_id",
        lambda: services.person_create(
            officer=cast["counter"],
            national_id=job.person.national_id,
            id_type="pin",
            office=job.employer.responsible_office,
            registered_on=TODAY(),
            first_name_th="อื่น",
            last_name_th="คน",
            birth_date=D(1980, 1, 1),
            title="003",
            sex="M",
        ),
    )


def test_an_insured_person_joining_another_employer_keeps_one_record(job, cast, offices):
    other = employer_make(offices["5000"], cast["counter"], n=2)
    second = employee_make(other, 1, cast["counter"], started_on=D(2022, 1, 1))
    assert second.person == job.person
    assert InsuredPerson.objects.count() == 1
    assert second.person.section_spells.count() == 1  # still Section 33, one spell


# Leaving (SSO 6-09) ---------------------------------------------------------------------


def test_leaving_ends_section_33_and_insurance(job, cast):
    services.employee_leave(
        officer=cast["counter"], employment=job, ended_on=D(2023, 6, 30), reason="laid_off", notified_on=D(2023, 7, 5)
    )
    person = InsuredPerson.objects.get(pk=job.person_id)
    assert person.status == InsuredPerson.Status.CEASED
    assert person.section_spells.get().valid_to == D(2023, 6, 30)
    assert Employment.objects.get(pk=job.pk).leaving_reason == "laid_off"


def test_it_refuses_a_leaver_notified_twice(job, cast):
    services.employee_leave(officer=cast["counter"], employment=job, ended_on=D(2023, 6, 30), reason="resigned")
    message = _refused(
        "ended_on",
        lambda: services.employee_leave(
            officer=cast["counter"], employment=job, ended_on=D(2023, 7, 1), reason="resigned"
        ),
    )
    assert "already" in message
    assert Employment.objects.get(pk=job.pk).ended_on == D(2023, 6, 30)


def test_a_death_notified_as_leaving_marks_the_person_deceased(job, cast):
    services.employee_leave(officer=cast["counter"], employment=job, ended_on=D(2023, 6, 30), reason="died")
    person = InsuredPerson.objects.get(pk=job.person_id)
    assert (person.status, person.died_on) == (InsuredPerson.Status.DECEASED, D(2023, 6, 30))


# Sections 39 and 40 ---------------------------------------------------------------------


def _leave(job, cast, ended_on):
    services.employee_leave(
        officer=cast["counter"], employment=job, ended_on=ended_on, reason="resigned", notified_on=ended_on
    )


def test_section_39_continues_cover_from_the_day_after_leaving(job, cast):
    contribution_months_make(job.person, cast["counter"], last_period=D(2023, 6, 1), count=12)
    _leave(job, cast, D(2023, 6, 30))
    spell = services.section39_apply(officer=cast["counter"], person=job.person, applied_on=D(2023, 9, 1))
    assert (spell.section, spell.valid_from) == ("39", D(2023, 7, 1))
    assert InsuredPerson.objects.get(pk=job.person_id).status == InsuredPerson.Status.ACTIVE


def test_it_refuses_section_39_with_fewer_than_12_section_33_months(employer, cast):
    short = employee_make(employer, 4, cast["counter"], started_on=D(2023, 1, 1))
    contribution_months_make(short.person, cast["counter"], last_period=D(2023, 6, 1), count=6)
    _leave(short, cast, D(2023, 6, 30))
    message = _refused(
        "person",
        lambda: services.section39_apply(officer=cast["counter"], person=short.person, applied_on=D(2023, 8, 1)),
    )
    assert "12" in message and "6" in message


def test_it_refuses_section_39_applied_more_than_6_months_after_leaving(job, cast):
    contribution_months_make(job.person, cast["counter"], last_period=D(2023, 6, 1), count=12)
    _leave(job, cast, D(2023, 6, 30))
    message = _refused(
        "applied_on",
        lambda: services.section39_apply(officer=cast["counter"], person=job.person, applied_on=D(2024, 1, 2)),
    )
    assert "6" in message


def test_it_refuses_section_39_to_someone_still_employed(job, cast):
    _refused("person", lambda: services.section39_apply(officer=cast["counter"], person=job.person, applied_on=TODAY()))


def test_section_40_registers_a_new_informal_worker_and_changes_option(cast):
    spell = services.section40_register(
        officer=cast["counter"],
        option=2,
        applied_on=D(2025, 1, 1),
        national_id=pin_make(50),
        title="004",
        first_name_th="มาลี",
        last_name_th="ค้าขาย",
        birth_date=D(1985, 5, 5),
        sex="F",
    )
    assert (spell.section, spell.s40_option) == ("40", 2)
    changed = services.section40_register(
        officer=cast["counter"], option=3, person=spell.person, applied_on=D(2025, 6, 1)
    )
    assert changed.s40_option == 3
    assert SectionSpell.objects.get(pk=spell.pk).valid_to == D(2025, 5, 31)


def test_it_refuses_section_40_to_a_section_33_employee(job, cast):
    _refused("person", lambda: services.section40_register(officer=cast["counter"], option=1, person=job.person))


def test_it_refuses_section_40_outside_the_age_range(cast):
    _refused(
        "birth_date",
        lambda: services.section40_register(
            officer=cast["counter"],
            option=1,
            applied_on=D(2025, 1, 1),
            national_id=pin_make(51),
            title="003",
            first_name_th="ชรา",
            last_name_th="มาก",
            birth_date=D(1950, 1, 1),
            sex="M",
        ),
    )


# Hospital, bank, dependants -------------------------------------------------------------


def test_a_hospital_change_closes_the_previous_registration(job, cast):
    first, second = HospitalFactory(), HospitalFactory()
    services.hospital_change(officer=cast["counter"], person=job.person, hospital=first, valid_from=D(2020, 1, 1))
    services.hospital_change(officer=cast["counter"], person=job.person, hospital=second, valid_from=D(2024, 1, 1))
    history = list(job.person.hospital_registrations.order_by("valid_from").values_list("hospital", "valid_to"))
    assert history == [(first.pk, D(2023, 12, 31)), (second.pk, None)]


def test_it_refuses_a_bank_account_number_of_the_wrong_length(job, cast):
    bank = Bank.objects.get(code="002")
    _refused(
        "account_number",
        lambda: services.bank_account_set(
            officer=cast["counter"],
            person=job.person,
            bank=bank,
            account_number="123",
            account_name="x",
            valid_from=TODAY(),
        ),
    )


def test_a_child_needs_a_birth_certificate_or_id(job, cast):
    _refused(
        "birth_certificate_id",
        lambda: services.dependant_add(
            officer=cast["counter"],
            person=job.person,
            kind="child",
            first_name_th="ด.ช.",
            last_name_th="ใจดี",
            birth_date=D(2022, 1, 1),
        ),
    )


# Completeness ---------------------------------------------------------------------------


def test_completeness_lists_exactly_what_is_missing_per_benefit(job, cast):
    translation.activate("en")
    person = selectors.person_page_get(job.person_id, cast["counter"])
    missing = selectors.person_completeness(person).missing
    # What the benefits' rules need (issue 15): sickness, its cover and the bank account its bank
    # book may be held as; neither a hospital nor an address.
    assert missing["Sickness"] == ["a bank account for payments"]
    assert "a child with birth date and birth certificate or ID" in missing["Child allowance"]

    services.hospital_change(
        officer=cast["counter"], person=job.person, hospital=HospitalFactory(), valid_from=D(2020, 1, 1)
    )
    services.bank_account_set(
        officer=cast["counter"], person=job.person, bank=Bank.objects.get(code="004"), account_number="1234567890",
        account_name="Somchai", valid_from=D(2020, 1, 1),
    )  # fmt: skip
    services.person_update(officer=cast["counter"], person=job.person, address="1 ถนนพระราม 4 กรุงเทพฯ")
    services.dependant_add(
        officer=cast["counter"], person=job.person, kind="child", first_name_th="ลูก", last_name_th="ใจดี",
        birth_date=D(2021, 3, 3), birth_certificate_id="BC-1",
    )  # fmt: skip
    person = selectors.person_page_get(job.person_id, cast["counter"])
    completeness = selectors.person_completeness(person)
    assert completeness.missing["Sickness"] == []
    assert completeness.missing["Child allowance"] == []
    assert completeness.missing["Unemployment"] == ["a job ended with its leaving notified (SSO 6-09)"]


# Search and duplicates ------------------------------------------------------------------


def test_search_finds_by_national_id_with_or_without_dashes(job, cast):
    national_id = job.person.national_id
    dashed = job.person.national_id_display
    assert list(selectors.person_search(national_id, cast["counter"])) == [job.person]
    assert list(selectors.person_search(dashed, cast["counter"])) == [job.person]


def test_search_ranks_names_in_thai_and_english(employer, cast):
    employee_make(
        employer,
        11,
        cast["counter"],
        first_name_th="สมศักดิ์",
        last_name_th="รักไทย",
        first_name_en="Somsak",
        last_name_en="Rakthai",
    )
    employee_make(
        employer,
        12,
        cast["counter"],
        first_name_th="สมศรี",
        last_name_th="มีสุข",
        first_name_en="Somsri",
        last_name_en="Meesuk",
    )
    thai = list(selectors.person_search("สมศักดิ์ รักไทย", cast["counter"]))
    english = list(selectors.person_search("somsak rakthai", cast["counter"]))
    assert thai[0].first_name_th == "สมศักดิ์"
    assert english[0].first_name_en == "Somsak"


def test_search_finds_a_person_of_any_office(employer, job, cast):
    # A person is national (issue 15): another office's officer finds them by national ID.
    assert list(selectors.person_search(job.person.national_id, cast["other_supervisor"])) == [job.person]
    assert list(selectors.person_search(job.person.national_id, cast["national"])) == [job.person]


def test_employer_search_by_account_number_and_name(employer, cast):
    assert list(selectors.employer_search(employer.account_number, cast["counter"])) == [employer]
    assert employer in list(selectors.employer_search("test company", cast["counter"]))


def test_duplicates_are_found_by_birth_date_and_similar_name(job):
    same = selectors.person_duplicates(
        first_name_th=job.person.first_name_th, last_name_th="ใจดี", birth_date=D(1990, 1, 1)
    )
    similar = selectors.person_duplicates(first_name_th="สมชาย", last_name_th="ใจดี", birth_date=D(1990, 1, 1))
    other_day = selectors.person_duplicates(first_name_th="สมชาย1", last_name_th="ใจดี", birth_date=D(1991, 1, 1))
    assert same[0].score == 1.0 and similar and not other_day


# Merge ----------------------------------------------------------------------------------


def test_merge_moves_every_history_and_keeps_the_duplicate_on_file(job, cast, offices):
    other = employer_make(offices["1001"], cast["counter"], n=3)
    duplicate = employee_make(other, 20, cast["counter"], started_on=D(2021, 1, 1)).person
    services.dependant_add(
        officer=cast["counter"],
        person=duplicate,
        kind="spouse",
        first_name_th="คู่",
        last_name_th="สมรส",
        birth_date=D(1991, 1, 1),
    )
    services.person_merge(officer=cast["verifier"], keep=job.person, drop=duplicate)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (InsuredPerson.Status.MERGED, job.person_id)
    assert job.person.employments.count() == 2
    assert job.person.dependants.count() == 1
    assert job.person.section_spells.filter(valid_to__isnull=True).count() == 1
    assert duplicate.history.first().history_user == cast["verifier"]


# Pages ----------------------------------------------------------------------------------


def _employee_post(employer, n, **extra):
    data = {
        "id_type": "pin",
        "national_id": pin_make(n),
        "title": "003",
        "first_name_th": "สมชาย",
        "last_name_th": "ใจดี",
        "first_name_en": "Somchai",
        "last_name_en": "Jaidee",
        "birth_date": "01/01/2533",
        "sex": "M",
        "nationality": "THA",
        "branch": "000000",
        "started_on": timezone.localdate().strftime("%d/%m/%Y"),
        "monthly_wage": "15000",
    }
    data.update(extra)
    return data


def test_the_registration_page_warns_of_likely_duplicates_before_saving(job, client_for, cast):
    client = client_for(cast["counter"])
    url = reverse("registry:employee_register", args=[job.employer_id])
    response = client.post(url, _employee_post(job.employer, 30, first_name_th=job.person.first_name_th))
    assert response.status_code == 200
    assert b'data-testid="duplicates"' in response.content
    assert InsuredPerson.objects.count() == 1
    response = client.post(
        url, _employee_post(job.employer, 30, first_name_th=job.person.first_name_th, duplicates_checked="on")
    )
    assert response.status_code == 302
    assert InsuredPerson.objects.count() == 2


def test_the_registration_page_names_the_bad_field_in_thai_and_stores_nothing(employer, client_for, cast):
    client = client_for(cast["counter"])
    bad = pin_make(31)[:-1] + str((int(pin_make(31)[-1]) + 1) % 10)
    response = client.post(
        reverse("registry:employee_register", args=[employer.pk]), _employee_post(employer, 31, national_id=bad)
    )
    assert response.status_code == 200
    assert "เลขประจำตัวประชาชน" in response.content.decode()
    assert InsuredPerson.objects.count() == 0


def test_the_registration_page_stores_wage_as_decimal_and_redirects_to_the_person(employer, client_for, cast):
    response = client_for(cast["counter"]).post(
        reverse("registry:employee_register", args=[employer.pk]), _employee_post(employer, 32, monthly_wage="15000.50")
    )
    person = InsuredPerson.objects.get(national_id=pin_make(32))
    assert response["Location"] == person.get_absolute_url()
    assert person.employments.get().monthly_wage == Decimal("15000.50")


def test_the_search_page_goes_straight_to_a_person_found_by_id(job, client_for, cast):
    response = client_for(cast["counter"]).get(reverse("registry:search"), {"q": job.person.national_id_display})
    assert response.status_code == 302 and response["Location"] == job.person.get_absolute_url()


def test_the_person_page_shows_every_section_in_a_fixed_number_of_queries(
    job, client_for, cast, django_assert_max_num_queries
):
    client = client_for(cast["counter"])
    for n in range(3):
        services.dependant_add(
            officer=cast["counter"], person=job.person, kind="child", first_name_th=f"ลูก{name_tag(n)}",
            last_name_th="ใจดี", birth_date=D(2020, 1, 1 + n), birth_certificate_id=f"BC{n}",
        )  # fmt: skip
    # 21: the completeness panel reads what each benefit needs from the benefits' document rows.
    with django_assert_max_num_queries(21):
        response = client.get(job.person.get_absolute_url())
    html = response.content.decode()
    for testid in ("completeness", "sections", "employment", "hospitals", "bank-accounts", "dependants", "s33-months"):
        assert f'data-testid="{testid}"' in html
    assert "ลูกค" in html


ACCESS = [
    # (user, url name, needs a person pk, expected status)
    ("counter", "registry:search", False, 200),
    ("counter", "registry:person", True, 200),
    ("counter", "registry:hospital_change", True, 200),
    ("counter", "registry:person_merge", True, 403),
    ("verifier", "registry:person_merge", True, 200),
    ("supervisor", "registry:person", True, 200),
    ("supervisor", "registry:hospital_change", True, 403),
    ("other_supervisor", "registry:person", True, 200),  # a person is national
    ("national", "registry:person", True, 200),
    ("outsider", "registry:search", False, 403),
]


@pytest.mark.parametrize(("who", "name", "with_pk", "status"), ACCESS)
def test_registry_page_access(job, client_for, cast, who, name, with_pk, status):
    url = reverse(name, args=[job.person_id]) if with_pk else reverse(name)
    assert client_for(cast[who]).get(url).status_code == status


def test_another_offices_employer_page_is_read_without_its_forms(employer, client_for, cast):
    # Employers are read nationally (issue 15); their forms and account are their office's
    # (tests/test_employer_account.py).
    page = client_for(cast["other_supervisor"]).get(employer.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="other-office"' in page.content.decode()
    assert client_for(cast["counter"]).get(employer.get_absolute_url()).status_code == 200


def test_the_leaving_page_refuses_a_second_notice_with_a_message(job, client_for, cast):
    client = client_for(cast["counter"])
    url = reverse("registry:employee_leave", args=[job.pk])
    assert client.post(url, {"ended_on": "30/06/2566", "leaving_reason": "resigned"}).status_code == 302
    response = client.post(url, {"ended_on": "01/07/2566", "leaving_reason": "resigned"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert Employment.objects.get(pk=job.pk).ended_on == D(2023, 6, 30)


def test_the_employer_registration_page_issues_an_account(client_for, cast):
    response = client_for(cast["counter"]).post(
        reverse("registry:employer_register"),
        {
            "name_th": "บริษัท ใหม่ จำกัด",
            "name_en": "New Co Ltd",
            "tax_id": tax_id_make(77),
            "address": "1 ถนนสีลม",
            "province": cast["counter"].office.province_id,
            "registered_on": "01/11/2569",
            "responsible_office": cast["counter"].office_id,
        },
    )
    employer = Employer.objects.get(tax_id=tax_id_make(77))
    assert response["Location"] == employer.get_absolute_url()
    assert employer.registered_on == D(2026, 11, 1)


def test_dependant_kinds_are_the_two_the_benefits_use():
    assert set(Dependant.Kind.values) == {"child", "spouse"}


def test_the_change_history_of_a_person_names_who_changed_what(job, client_for, cast):
    services.person_update(officer=cast["counter"], person=job.person, phone="081-234-5678")
    response = client_for(cast["supervisor"]).get(
        reverse("core:record_history", args=["registry.insuredperson", job.person_id])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "081-234-5678" in html and "counter" in html.lower()


# The queue's console opens the ticket's case ----------------------------------------------


def test_the_console_opens_the_registry_record_of_the_ticket_and_links_it(job, client_for, cast):
    from queueing import services as queue
    from queueing.models import Counter, Ticket
    from tests.factories import queue_office

    office = queue_office(job.employer.responsible_office, counters=1)
    counter = Counter.objects.get(office=office)
    service = counter.services.first()
    queue.counter_sign_in(counter=counter, officer=cast["counter"])
    ticket = queue.ticket_issue(service=service, customer_kind="insured", customer_ref=job.person.national_id)
    queue.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    client = client_for(cast["counter"])
    console = client.get(reverse("queueing:console", args=[counter.pk])).content.decode()
    assert 'data-testid="case"' in console and job.person.national_id in console
    response = client.post(reverse("queueing:console_case", args=[counter.pk]))
    assert response["Location"] == job.person.get_absolute_url()
    assert Ticket.objects.get(pk=ticket.pk).case == job.person


def test_the_console_sends_an_unknown_id_to_the_registry_search(cast, offices, client_for):
    from queueing import services as queue
    from queueing.models import Counter
    from tests.factories import queue_office

    office = queue_office(offices["1001"], counters=1)
    counter = Counter.objects.get(office=office)
    queue.counter_sign_in(counter=counter, officer=cast["counter"])
    queue.ticket_issue(
        service=counter.services.first(),
        customer_kind="insured",
        customer_ref=pin_make(999),
    )
    queue.ticket_call_next(counter_id=counter.pk, officer=cast["counter"])
    response = client_for(cast["counter"]).post(reverse("queueing:console_case", args=[counter.pk]))
    assert response["Location"] == reverse("registry:search") + f"?q={pin_make(999)}"


def test_the_list_pages_use_the_api_filters_in_a_fixed_number_of_queries(
    employer, cast, client_for, django_assert_max_num_queries
):
    for n in range(40, 46):
        employee_make(employer, n, cast["counter"])
    client = client_for(cast["counter"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:person_list"), {"section": "33", "employer": employer.account_number})
    assert response.content.decode().count("/registry/persons/") >= 6
    response = client.get(reverse("registry:employer_list"), {"q": employer.account_number})
    assert employer.account_number in response.content.decode()
    other = client_for(cast["other_supervisor"]).get(reverse("registry:person_list")).content.decode()
    assert "ไม่พบผู้ประกันตนที่ตรงเงื่อนไข" in other
