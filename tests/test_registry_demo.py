"""The registry demo-data generator: counts, valid identifiers, consistent histories, and
idempotence (a second run with the same numbers adds nothing)."""

import datetime
from collections import defaultdict

import pytest
from stdnum.th import pin, tin

from registry import demo
from registry.models import (
    BankAccount,
    Branch,
    Dependant,
    Employer,
    Employment,
    Hospital,
    HospitalRegistration,
    InsuredPerson,
    SectionSpell,
)
from registry.validators import account_check_digit, national_id_clean

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(offices):
    demo.seed(stdout=None, employers=30, persons=300)
    return offices


def test_it_makes_the_numbers_asked_for(generated):
    assert Employer.objects.count() == 30
    assert InsuredPerson.objects.count() == 300
    assert Hospital.objects.count() > 300
    assert Hospital.objects.values("province").distinct().count() == 77
    assert Employment.objects.exists() and SectionSpell.objects.exists()
    assert HospitalRegistration.objects.exists() and BankAccount.objects.exists()
    assert Dependant.objects.filter(kind="child").exists() and Dependant.objects.filter(kind="spouse").exists()


def test_a_second_run_with_the_same_numbers_adds_nothing(generated):
    counts = [model.objects.count() for model in (Employer, Branch, InsuredPerson, Employment, SectionSpell)]
    assert demo.registry_generate(employers=30, persons=300) == (0, 0)
    demo.seed(stdout=None, employers=30, persons=300)
    assert [model.objects.count() for model in (Employer, Branch, InsuredPerson, Employment, SectionSpell)] == counts


def test_a_bigger_number_adds_only_the_difference_with_new_ids(generated, monkeypatch):
    monkeypatch.setattr(demo, "CHUNK", 40)  # also runs the forked generator, a chunk at a time
    before = set(InsuredPerson.objects.values_list("national_id", flat=True))
    assert demo.registry_generate(employers=30, persons=420) == (0, 120)
    after = set(InsuredPerson.objects.values_list("national_id", flat=True))
    assert len(after) == 420 and before < after


def test_identifiers_are_valid_and_never_those_of_the_test_factories(generated):
    ids = list(InsuredPerson.objects.values_list("national_id", "id_type", "nationality"))
    assert len({national_id for national_id, _, _ in ids}) == len(ids)
    foreign = [row for row in ids if row[1] == InsuredPerson.IdType.FOREIGN]
    assert len(foreign) < len(ids) * 0.1
    for national_id, id_type, nationality in ids:
        assert national_id_clean(national_id, id_type) == national_id
        if id_type == InsuredPerson.IdType.PIN:
            assert pin.is_valid(national_id) and national_id[0] in "345678" and nationality == "THA"
        else:
            assert national_id[0] in "09" and nationality != "THA"
    for account, tax_id in Employer.objects.values_list("account_number", "tax_id"):
        assert len(account) == 10 and account[-1] == account_check_digit(account[:9])
        assert tax_id.startswith("0") and tin.is_valid(tax_id)
    assert Employer.objects.values("account_number").distinct().count() == 30
    for child_id in Dependant.objects.exclude(national_id="").values_list("national_id", flat=True):
        assert pin.is_valid(child_id)


def test_persons_are_plausible(generated):
    for person in InsuredPerson.objects.all():
        assert person.title in (("003",) if person.sex == "M" else ("004", "005"))
        assert datetime.date(1960, 1, 1) <= person.birth_date <= datetime.date(2006, 12, 31)
        assert person.first_name_th and person.last_name_th and person.first_name_en and person.last_name_en
        person.full_clean()


def test_histories_are_consistent_with_the_status_and_the_office(generated, offices):
    office_ids = {office.pk for office in offices.values()}
    assert set(Employer.objects.values_list("responsible_office", flat=True)) <= office_ids
    assert not Employer.objects.exclude(branches__number=Branch.HEAD_OFFICE).exists()
    spells, jobs, hospitals = defaultdict(list), defaultdict(list), defaultdict(list)
    for spell in SectionSpell.objects.all():
        spells[spell.person_id].append(spell)
    for job in Employment.objects.select_related("employer", "branch"):
        jobs[job.person_id].append(job)
    for registration in HospitalRegistration.objects.all():
        hospitals[registration.person_id].append(registration)
    sections = set()
    for person in InsuredPerson.objects.all():
        history = sorted(spells[person.pk], key=lambda spell: spell.valid_from)
        assert history, person
        for earlier, later in zip(history, history[1:], strict=False):
            assert earlier.valid_to is not None and earlier.valid_to < later.valid_from
        current = [spell for spell in history if spell.valid_to is None]
        open_jobs = [job for job in jobs[person.pk] if job.ended_on is None]
        for job in jobs[person.pk]:
            assert job.branch.employer_id == job.employer_id
            assert job.started_on >= job.employer.registered_on
            assert job.registered_on >= job.started_on
            assert bool(job.ended_on) == bool(job.leaving_reason)
        if person.status == InsuredPerson.Status.ACTIVE:
            assert len(current) == 1
            sections.add(current[0].section)
            assert (current[0].section == "33") == bool(open_jobs)
            assert (current[0].s40_option is not None) == (current[0].section == "40")
        else:
            assert not current and not open_jobs
            assert (person.died_on is not None) == (person.status == InsuredPerson.Status.DECEASED)
        if open_jobs:
            assert person.office_id == open_jobs[0].employer.responsible_office_id
            assert open_jobs[0].employer.status == Employer.Status.ACTIVE
        assert person.office_id in office_ids
        if current and current[0].section == "40":
            assert not hospitals[person.pk]
        assert len([row for row in hospitals[person.pk] if row.valid_to is None]) <= 1
    assert sections == {"33", "39", "40"}
    for dependant in Dependant.objects.filter(kind="child"):
        assert dependant.national_id or dependant.birth_certificate_id
    for employer in Employer.objects.filter(status=Employer.Status.CEASED):
        assert employer.ceased_on and not employer.employments.filter(ended_on__isnull=True).exists()
