import factory
from django.contrib.auth.models import Group

from sso.core.models import Office, Province, User
from sso.core.services import provinces_load


def province_get(code):
    # Transactional tests flush the tables, provinces included; load them again when gone.
    if not Province.objects.filter(code=code).exists():
        provinces_load()
    return Province.objects.get(code=code)


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ["code"]
        exclude = ["province_code"]

    province_code = "10"
    code = factory.Sequence(lambda n: f"{7000 + n}")
    kind = Office.Kind.AREA
    name_th = factory.LazyAttribute(lambda o: f"สำนักงาน {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Office {o.code}")
    province = factory.LazyAttribute(lambda o: province_get(o.province_code))


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.LazyAttribute(lambda u: u.username.title())
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


def queue_office(office, counters=3):
    """An office with the standard services and `counters` counters."""
    from queueing.services import office_queue_setup

    office_queue_setup(office=office, counters=counters)
    return office


def pin_make(n: int, first_digit: int = 1) -> str:
    """A valid Thai national ID, different for each n."""
    from registry.validators import pin_check_digit

    body = f"{first_digit}{n:011d}"
    return body + pin_check_digit(body)


def tax_id_make(n: int) -> str:
    """A valid company tax ID (starts with 0), different for each n."""
    from registry.validators import pin_check_digit

    body = f"0105{n:08d}"
    return body + pin_check_digit(body)


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registry.Hospital"
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"H{n:05d}")
    name_th = factory.LazyAttribute(lambda o: f"โรงพยาบาล {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Hospital {o.code}")
    province = factory.LazyFunction(lambda: province_get("10"))


def employer_make(office, officer=None, n=None, registered_on=None, **fields):
    """An employer registered through the SSO 1-01 service (head-office branch included)."""
    import datetime

    from registry.services import employer_register

    n = n if n is not None else Office.objects.count() * 1000 + factory.random.randgen.randint(1, 10**7)
    return employer_register(
        officer=officer,
        name_th=fields.pop("name_th", f"บริษัท ทดสอบ {n} จำกัด"),
        name_en=fields.pop("name_en", f"Test Company {n} Ltd"),
        tax_id=fields.pop("tax_id", tax_id_make(n)),
        province=fields.pop("province", office.province),
        registered_on=registered_on or datetime.date(2015, 1, 1),
        responsible_office=office,
        **fields,
    )


def name_tag(n: int, letters: str = "กขคฆงจฉชซฌ") -> str:
    """`n` spelled with one letter a digit (0 = ก, 1 = ข...; Latin: name_tag(n, "abcdefghij")):
    names are letters only, so persons made in a loop are told apart this way."""
    return "".join(letters[int(digit)] for digit in str(n))


def employee_make(employer, n, officer=None, started_on=None, **fields):
    """An insured person hired by `employer` through the SSO 1-03 service."""
    import datetime

    from registry.services import employee_register

    started_on = started_on or datetime.date(2020, 1, 1)
    defaults = {
        "title": "003",
        "first_name_th": f"สมชาย{name_tag(n)}",
        "last_name_th": "ใจดี",
        "first_name_en": f"Somchai{name_tag(n, 'abcdefghij')}",
        "last_name_en": "Jaidee",
        "birth_date": datetime.date(1990, 1, 1),
        "sex": "M",
        "filed_on": started_on,
        "national_id": pin_make(n),
    }
    defaults.update(fields)
    return employee_register(officer=officer, employer=employer, started_on=started_on, **defaults)


def contribution_months_make(person, officer, *, last_period, count, wage="15000", employer=None, section="33"):
    """`count` paid contribution months of `person` up to `last_period` (the first of a
    month), under one payment: the history the benefit rules count."""
    from decimal import Decimal

    from contributions.models import ContributionMonth, Payment
    from contributions.rules import period_add

    periods = [period_add(last_period, -n) for n in range(count - 1, -1, -1)]
    payment = Payment.objects.create(
        office=person.office,
        kind=Payment.Kind.SECTION39,
        person=person,
        period_from=periods[0],
        period_to=periods[-1],
        method=Payment.Method.CASH,
        contribution_amount=0,
        amount=0,
        paid_on=periods[-1],
        posted_by=officer,
    )
    ContributionMonth.objects.bulk_create(
        ContributionMonth(
            person=person,
            period=period,
            section=section,
            employer=employer,
            wage=Decimal(wage),
            amount=0,
            payment=payment,
        )
        for period in periods
    )
    return periods
