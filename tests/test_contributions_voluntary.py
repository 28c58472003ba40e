"""The counter's Section 39 / Section 40 payment page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from contributions.models import ContributionMonth, Payment, Receipt
from registry.services import employee_leave, section39_apply, section40_register
from sso.core.months import month_add, month_first
from tests.factories import contribution_months_make, employee_make, employer_make, pin_make

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _this_month():
    return month_first(timezone.localdate())


@pytest.fixture
def s39(cast, offices):
    """A former employee whose Section 39 cover began two months ago (the 1st)."""
    employer = employer_make(offices["1001"], cast["counter"], n=701)
    job = employee_make(employer, 7011, cast["counter"], started_on=datetime.date(2020, 1, 1))
    begins = month_add(_this_month(), -2)
    contribution_months_make(
        job.person, cast["counter"], last_period=month_add(begins, -1), count=12, employer=employer
    )
    employee_leave(
        officer=cast["counter"],
        employment=job,
        ended_on=begins - datetime.timedelta(days=1),
        reason="resigned",
        notified_on=begins,
    )
    section39_apply(officer=cast["counter"], person=job.person, applied_on=timezone.localdate())
    return job.person


def _s40(officer, n, option, applied_on):
    return section40_register(
        officer=officer,
        option=option,
        applied_on=applied_on,
        national_id=pin_make(n),
        title="004",
        first_name_th="มาลี",
        last_name_th="ค้าขาย",
        birth_date=datetime.date(1985, 5, 5),
        sex="F",
    ).person


def _url(person):
    return reverse("contributions:voluntary_pay", args=[person.pk])


def test_a_section39_person_sees_the_months_to_pay_and_432_a_month(s39, cast, client_for):
    response = client_for(cast["counter"]).get(_url(s39))
    assert response.status_code == 200
    form = response.context["form"]
    months = response.context["suggested"]
    assert months == [month_add(_this_month(), n) for n in (-2, -1, 0)]
    assert response.context["monthly_amount"] == D("432.00")
    assert form.initial["amount"] == D("1296.00")
    assert form.initial["period_from"] == months[0] and form.initial["period_to"] == months[-1]


def test_paying_section39_goes_to_the_receipt(s39, cast, client_for):
    client = client_for(cast["counter"])
    page = client.get(_url(s39))
    form = page.context["form"]
    data = {
        "period_from": f"{form.initial['period_from']:%m/%Y}",
        "period_to": f"{form.initial['period_to']:%m/%Y}",
        "amount": "1296.00",
        "method": "cash",
        "reference": "",
        "idempotency_key": page.context["idempotency_key"],
    }
    response = client.post(_url(s39), data)
    receipt = Receipt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contributions:receipt_detail", args=[receipt.pk])
    assert receipt.payment.kind == Payment.Kind.SECTION39 and receipt.payment.amount == D("1296.00")
    assert ContributionMonth.objects.filter(person=s39, section="39").count() == 3
    again = client.post(_url(s39), data)  # the same form sent twice: one payment
    assert again["Location"] == response["Location"] and Payment.objects.filter(receipt__isnull=False).count() == 1
    page = client.get(_url(s39))
    assert page.context["suggested"] == [] and len(page.context["paid"]) == 3


def test_the_months_one_payment_may_cover_are_a_dated_row(s39, cast, client_for):
    """ "At most 12 months at once" was a constant in code: a collection rule of 2 months."""
    from django.core.exceptions import ValidationError

    from contributions import services
    from contributions.models import CollectionRule

    CollectionRule.objects.update(voluntary_max_months=2)
    begins = month_add(_this_month(), -2)
    with pytest.raises(ValidationError, match="at most 2 months"):
        services.voluntary_pay(
            officer=cast["counter"],
            person=s39,
            section="39",
            period_from=begins,
            period_to=_this_month(),
            amount=D("1296.00"),
            method="cash",
        )
    assert not Payment.objects.filter(receipt__isnull=False).exists()
    page = client_for(cast["counter"]).get(_url(s39))
    assert page.context["suggested"] == [month_add(_this_month(), -1), _this_month()]  # the last 2


def test_a_month_typed_in_buddhist_era_and_a_wrong_amount(s39, cast, client_for):
    client = client_for(cast["counter"])
    month = month_add(_this_month(), -1)
    response = client.post(
        _url(s39),
        {"period_from": f"{month.month}/{month.year + 543}", "period_to": f"{month.month}/{month.year + 543}",
         "amount": "400", "method": "cash"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "432.00" in str(response.context["form"].errors["amount"])
    assert not Payment.objects.filter(receipt__isnull=False).exists()


def test_recompute_gives_the_amount_for_the_months_typed_and_posts_nothing(s39, cast, client_for):
    month = month_add(_this_month(), -1)
    data = {"period_from": f"{month:%m/%Y}", "period_to": f"{_this_month():%m/%Y}", "amount": "1", "method": "cash"}
    response = client_for(cast["counter"]).post(_url(s39), data | {"recompute": "1"})
    assert response.status_code == 200
    assert response.context["form"]["amount"].value() == "864.00"
    assert not Payment.objects.filter(receipt__isnull=False).exists()


def test_section40_option_2_pays_100_a_month(cast, client_for):
    person = _s40(cast["counter"], 7021, option=2, applied_on=_this_month())
    client = client_for(cast["counter"])
    page = client.get(_url(person))
    assert page.context["monthly_amount"] == D("100.00")
    assert page.context["form"].initial["amount"] == D("100.00")
    month = f"{_this_month():%m/%Y}"
    data = {"period_from": month, "period_to": month, "amount": "100.00", "method": "cash"}
    response = client.post(_url(person), data)
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.kind, payment.section40_option, payment.amount) == (Payment.Kind.SECTION40, 2, D("100.00"))


def test_a_section33_employee_is_refused(cast, client_for, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=703)
    person = employee_make(employer, 7031, cast["counter"]).person
    client = client_for(cast["counter"])
    response = client.get(_url(person))
    assert response.status_code == 200
    assert 'data-testid="refused"' in response.content.decode()
    assert "form" not in response.context
    month = f"{_this_month():%m/%Y}"
    client.post(_url(person), {"period_from": month, "period_to": month, "amount": "432", "method": "cash"})
    assert not Payment.objects.exists()


def test_another_offices_person_is_served_and_the_supervisor_cannot_take_money(cast, client_for):
    # A person is national (issue 15): any counter takes their Section 39/40 money
    # (test_employer_account.py pays it); the supervisor takes no money at all.
    person = _s40(cast["other_supervisor"], 7041, option=1, applied_on=_this_month())
    assert client_for(cast["counter"]).get(_url(person)).status_code == 200
    assert client_for(cast["supervisor"]).get(_url(person)).status_code == 403


def test_the_person_page_offers_the_payment_only_for_section_39_or_40(s39, cast, client_for, offices):
    client = client_for(cast["counter"])
    assert _url(s39) in client.get(s39.get_absolute_url()).content.decode()
    employer = employer_make(offices["1001"], cast["counter"], n=704)
    employee = employee_make(employer, 7041, cast["counter"]).person
    assert _url(employee) not in client.get(employee.get_absolute_url()).content.decode()


# Section 39 eligibility: months paid, not months on record -----------------------------------


def _left_after(cast, employer, n, *, paid: int, started_on):
    """An employee of `employer` since `started_on` who left on 31/12/2025, with `paid`
    months of Section 33 contributions paid (up to 12/2025)."""
    job = employee_make(employer, n, cast["counter"], started_on=started_on)
    if paid:
        last = datetime.date(2025, 12, 1)
        contribution_months_make(job.person, cast["counter"], last_period=last, count=paid, employer=employer)
    employee_leave(
        officer=cast["counter"],
        employment=job,
        ended_on=datetime.date(2025, 12, 31),
        reason="resigned",
        notified_on=datetime.date(2026, 1, 5),
    )
    return job.person


@pytest.mark.parametrize(
    ("paid", "started_on"),
    [
        (11, datetime.date(2020, 1, 1)),  # 72 months employed, 11 paid
        (3, datetime.date(2024, 12, 1)),  # 13 months employed, 3 paid
        (0, datetime.date(2024, 12, 1)),  # 13 months employed, none paid
    ],
)
def test_section39_refuses_fewer_than_12_months_paid_whatever_the_months_on_record(cast, offices, paid, started_on):
    from django.core.exceptions import ValidationError

    from registry.models import SectionSpell

    employer = employer_make(offices["1001"], cast["counter"], n=705)
    person = _left_after(cast, employer, 7051, paid=paid, started_on=started_on)
    with pytest.raises(ValidationError) as refused:
        section39_apply(officer=cast["counter"], person=person, applied_on=datetime.date(2026, 1, 10))
    message = str(refused.value.error_dict["person"][0].message)
    assert "at least 12 months" in message and f"this person has {paid}." in message
    assert not SectionSpell.objects.filter(person=person, section="39").exists()


def test_section39_accepts_12_months_paid_and_counts_a_month_paid_twice_once(cast, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=706)
    person = _left_after(cast, employer, 7061, paid=11, started_on=datetime.date(2024, 1, 1))
    # A second employer's payment for a month already paid adds nothing; an earlier month does.
    contribution_months_make(person, cast["counter"], last_period=datetime.date(2025, 12, 1), count=1)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        section39_apply(officer=cast["counter"], person=person, applied_on=datetime.date(2026, 1, 10))
    contribution_months_make(person, cast["counter"], last_period=datetime.date(2025, 1, 1), count=1)
    spell = section39_apply(officer=cast["counter"], person=person, applied_on=datetime.date(2026, 1, 10))
    assert (spell.section, spell.valid_from) == ("39", datetime.date(2026, 1, 1))


def test_section39_does_not_count_months_paid_under_section_39_or_40(cast, offices):
    from django.core.exceptions import ValidationError

    employer = employer_make(offices["1001"], cast["counter"], n=707)
    person = _left_after(cast, employer, 7071, paid=6, started_on=datetime.date(2024, 1, 1))
    contribution_months_make(person, cast["counter"], last_period=datetime.date(2025, 6, 1), count=6, section="39")
    with pytest.raises(ValidationError, match="this person has 6"):
        section39_apply(officer=cast["counter"], person=person, applied_on=datetime.date(2026, 1, 10))
