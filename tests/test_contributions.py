"""Contribution collection: the rules, statements, payments, receipts and voluntary contributions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from contributions import rules, selectors, services
from contributions.models import (
    ContributionMonth,
    ContributionRate,
    Payment,
    Receipt,
    Reimbursement,
    Statement,
    StatementLine,
)
from contributions.services import Declared, LineInput, StatementRefused
from registry.models import Section
from sso.core.months import month_first
from tests.factories import (
    contribution_months_make,
    counter_dated_back,
    employee_make,
    employer_make,
    pin_make,
    province_get,
)

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def firm(cast, offices):
    employer = employer_make(offices["1001"], cast["counter"], n=501)
    people = [
        employee_make(employer, n, cast["counter"], started_on=datetime.date(2024, 1, 1)).person for n in (11, 12, 13)
    ]
    return employer, employer.branches.get(), people


def _lines(people, wages):
    return [
        LineInput(line=n, national_id=p.national_id, wage=D(w))
        for n, (p, w) in enumerate(zip(people, wages, strict=False), 2)
    ]


# Rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "ceiling"),
    [
        (datetime.date(2025, 12, 1), D("15000")),
        (datetime.date(2026, 1, 1), D("17500")),
        (datetime.date(2028, 12, 1), D("17500")),
        (datetime.date(2029, 1, 1), D("20000")),
        (datetime.date(2032, 1, 1), D("23000")),
    ],
)
def test_the_ceiling_follows_the_wage_period(db, period, ceiling):
    rate = rules.rate_for(period)
    assert rate.wage_ceiling == ceiling
    assert rate.wage_floor == D("1650")
    assert rules.line_compute(D("100000"), rate).employee == ceiling * D("0.05")


def test_it_rounds_each_person_half_up_to_whole_baht(db):
    rate = rules.rate_for(datetime.date(2026, 1, 1))
    assert rules.line_compute(D("1650"), rate).employee == D("83.00")  # 82.50 -> 83
    assert rules.line_compute(D("1000"), rate).employee == D("83.00")  # the floor applies
    assert rules.line_compute(D("10009"), rate).employee == D("500.00")  # 500.45 -> 500
    assert rules.line_compute(D("10010"), rate).employee == D("501.00")  # 500.50 -> 501
    assert rules.line_compute(D("10000"), rate).government == D("275.00")


def test_a_province_rate_overrides_the_national_one(db):
    ContributionRate.objects.create(
        valid_from=datetime.date(2024, 10, 1),
        valid_to=datetime.date(2024, 12, 31),
        province=province_get("50"),
        employee_rate=D("3"),
        employer_rate=D("3"),
        government_rate=D("2.75"),
        wage_floor=D("1650"),
        wage_ceiling=D("15000"),
    )
    chiang_mai = province_get("50").pk
    assert rules.rate_for(datetime.date(2024, 11, 1), chiang_mai).employee_rate == D("3")
    assert rules.rate_for(datetime.date(2024, 11, 1)).employee_rate == D("5")
    assert rules.rate_for(datetime.date(2025, 1, 1), chiang_mai).employee_rate == D("5")


@pytest.mark.parametrize(
    ("paid_on", "months"),
    [
        (datetime.date(2026, 2, 15), 0),
        (datetime.date(2026, 2, 16), 1),
        (datetime.date(2026, 3, 15), 1),
        (datetime.date(2026, 3, 16), 2),
        (datetime.date(2026, 5, 1), 3),
    ],
)
def test_the_surcharge_counts_a_started_month_from_the_16th(db, paid_on, months):
    surcharge = rules.surcharge_compute(datetime.date(2026, 1, 1), D("1000.00"), paid_on)
    assert surcharge.months == months
    assert surcharge.amount == D("20.00") * months


def test_section39_and_section40_amounts_come_from_the_tables(db):
    assert rules.section39_amount(datetime.date(2026, 1, 1)) == D("432.00")
    assert rules.section40_option_for(datetime.date(2026, 1, 1), 3).person_amount == D("300")


# Statements -------------------------------------------------------------------------------


def test_it_accepts_a_statement_and_records_the_shares(firm, cast):
    employer, branch, people = firm
    statement = services.statement_submit(
        officer=cast["counter"],
        employer=employer,
        branch=branch,
        period=datetime.date(2026, 1, 1),
        lines=_lines(people, ["1650", "20000", "10010"]),
        today=datetime.date(2026, 2, 10),
    )
    assert statement.head_count == 3
    assert statement.wage_ceiling == D("17500")
    assert statement.employee_total == D("83") + D("875") + D("501")
    assert statement.employer_total == statement.employee_total
    assert statement.total_wages == D("31660")
    assert statement.government_total == D("45") + D("481") + D("275")
    assert StatementLine.objects.filter(statement=statement).count() == 3
    assert statement.history.first().history_user == cast["counter"]


def test_it_refuses_every_bad_line_and_stores_nothing(firm, cast, offices):
    employer, branch, people = firm
    other = employer_make(offices["1001"], cast["counter"], n=502)
    outsider = employee_make(other, 21, cast["counter"]).person
    lines = _lines(people, ["1650", "-5", "10000"])
    lines[2].employee_amount = D("499")
    lines += [
        LineInput(line=5, national_id=pin_make(99), wage=D("9000"), first_name="New"),
        LineInput(line=6, national_id=outsider.national_id, wage=D("9000")),
        LineInput(line=7, national_id=people[0].national_id, wage=D("9000")),
    ]
    with pytest.raises(StatementRefused) as refused:
        services.statement_submit(
            officer=cast["counter"],
            employer=employer,
            branch=branch,
            period=datetime.date(2026, 1, 1),
            lines=lines,
            today=datetime.date(2026, 2, 10),
        )
    found = {(error.line, error.code) for error in refused.value.line_errors}
    assert found == {(3, "invalid"), (4, "amount"), (5, "unknown_person"), (6, "not_employed"), (7, "duplicate_line")}
    amount_error = next(e for e in refused.value.line_errors if e.code == "amount")
    assert (amount_error.expected, amount_error.found) == ("500.00", "499.00")
    assert refused.value.unknown_persons[0]["national_id"] == pin_make(99)
    assert not Statement.objects.exists()


def test_it_refuses_a_future_period_and_a_second_statement_for_the_branch(firm, cast):
    employer, branch, people = firm
    kwargs = {"officer": cast["counter"], "employer": employer, "branch": branch, "lines": _lines(people, ["9000"])}
    with pytest.raises(StatementRefused) as refused:
        services.statement_submit(period=datetime.date(2026, 4, 1), today=datetime.date(2026, 2, 10), **kwargs)
    assert refused.value.line_errors[0].code == "future"
    services.statement_submit(period=datetime.date(2026, 1, 1), today=datetime.date(2026, 2, 10), **kwargs)
    with pytest.raises(StatementRefused) as refused:
        services.statement_submit(period=datetime.date(2026, 1, 1), today=datetime.date(2026, 2, 10), **kwargs)
    assert refused.value.line_errors[0].code == "duplicate"
    assert Statement.objects.count() == 1


def test_it_checks_the_declared_totals(firm, cast):
    employer, branch, people = firm
    declared = Declared(head_count=2, total_wages=D("18000"), employee_total=D("900"), employee_rate=D("5.00"))
    with pytest.raises(StatementRefused) as refused:
        services.statement_submit(
            officer=cast["counter"],
            employer=employer,
            branch=branch,
            period=datetime.date(2026, 1, 1),
            lines=_lines(people, ["9000", "9001"]),
            declared=declared,
            today=datetime.date(2026, 2, 10),
        )
    assert {error.field for error in refused.value.line_errors} == {"total_wages"}
    assert refused.value.line_errors[0].expected == "18001.00"


# Payments and receipts ----------------------------------------------------------------------


def _statement(firm, cast, period=datetime.date(2026, 1, 1), wages=("10000", "20000")):
    employer, branch, people = firm
    return services.statement_submit(
        officer=cast["counter"],
        employer=employer,
        branch=branch,
        period=period,
        lines=_lines(people, wages),
        today=period + datetime.timedelta(days=40),
    )


def test_paying_issues_a_receipt_and_records_each_persons_month(firm, cast):
    statement = _statement(firm, cast)
    payment = services.statement_pay(
        officer=cast["counter"],
        statement=statement,
        amount=D("2750.00"),
        method=Payment.Method.CASH,
        paid_on=datetime.date(2026, 2, 14),
        **counter_dated_back(statement, datetime.date(2026, 2, 14)),
    )
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PAID
    assert payment.receipt.number == 1 and payment.receipt.year == 2569
    months = ContributionMonth.objects.filter(payment=payment)
    assert sorted(m.wage for m in months) == [D("10000"), D("17500")]
    person = firm[2][0]
    assert selectors.contribution_months_count(person.pk, before=datetime.date(2026, 3, 5), months=15) == 1
    assert selectors.contribution_months_count(person.pk, before=datetime.date(2026, 1, 5), months=15) == 0


def test_a_late_payment_adds_the_surcharge_and_a_wrong_amount_is_refused(firm, cast):
    statement = _statement(firm, cast)
    with pytest.raises(ValidationError) as refused:
        services.statement_pay(
            officer=cast["counter"],
            statement=statement,
            amount=D("2750.00"),
            method=Payment.Method.CASH,
            paid_on=datetime.date(2026, 3, 20),
            **counter_dated_back(statement, datetime.date(2026, 3, 20)),
        )
    assert "2,860.00" in str(refused.value)  # 2,750 + 2 months x 2%
    assert not Payment.objects.exists() and not Receipt.objects.exists()
    payment = services.statement_pay(
        officer=cast["counter"],
        statement=statement,
        amount=D("2860.00"),
        method=Payment.Method.CASH,
        paid_on=datetime.date(2026, 3, 20),
        **counter_dated_back(statement, datetime.date(2026, 3, 20)),
    )
    assert (payment.surcharge_months, payment.surcharge_amount) == (2, D("110.00"))


def test_receipt_numbers_run_unbroken_and_a_void_keeps_its_number(firm, cast, offices):
    first = _statement(firm, cast, datetime.date(2026, 1, 1))
    second = _statement(firm, cast, datetime.date(2026, 2, 1))
    pay = {"officer": cast["counter"], "amount": D("2750.00"), "method": Payment.Method.CASH}
    on_10_feb, on_1_mar = datetime.date(2026, 2, 10), datetime.date(2026, 3, 1)
    one = services.statement_pay(statement=first, paid_on=on_10_feb, **pay, **counter_dated_back(first, on_10_feb))
    pay_second = pay | counter_dated_back(second, on_1_mar)
    with pytest.raises(ValidationError):
        services.statement_pay(statement=second, paid_on=on_1_mar, reference="", **pay_second | {"method": "cheque"})
    two = services.statement_pay(statement=second, paid_on=on_1_mar, **pay_second)
    assert [one.receipt.number, two.receipt.number] == [1, 2]
    services.receipt_void(receipt=one.receipt, officer=cast["counter"], reason="Wrong employer")
    one.receipt.refresh_from_db()
    assert one.receipt.number == 1 and one.receipt.voided_by == cast["counter"]
    first.refresh_from_db()
    assert first.status == Statement.Status.ACCEPTED
    assert not ContributionMonth.objects.filter(payment=one).exists()
    again = services.statement_pay(
        statement=first, paid_on=on_1_mar, **pay | counter_dated_back(first, on_1_mar) | {"amount": D("2805.00")}
    )
    assert again.receipt.number == 3


def test_the_counter_refuses_a_second_payment_but_a_bank_notification_is_reimbursed(firm, cast):
    statement = _statement(firm, cast)
    pay = {
        "officer": cast["counter"],
        "amount": D("2750.00"),
        "method": "transfer",
        "paid_on": datetime.date(2026, 2, 1),
    }
    services.statement_pay(
        statement=statement, reference="T1", **pay, **counter_dated_back(statement, datetime.date(2026, 2, 1))
    )
    with pytest.raises(ValidationError, match="already paid"):
        services.statement_pay(
            statement=statement, reference="T2", **pay, **counter_dated_back(statement, datetime.date(2026, 2, 1))
        )
    bank = services.statement_pay(statement=statement, reference="T3", channel="bank", idempotency_key="bank-1", **pay)
    same = services.statement_pay(statement=statement, reference="T3", channel="bank", idempotency_key="bank-1", **pay)
    assert same.pk == bank.pk
    assert Payment.objects.count() == 2
    assert Reimbursement.objects.get().amount == D("2750.00")


def _refused(code, **kwargs):
    with pytest.raises(ValidationError) as refused:
        services.statement_pay(**kwargs)
    assert code in [error.code for errors in refused.value.error_dict.values() for error in errors], refused.value
    assert not Payment.objects.exists() and not Receipt.objects.exists()


def test_a_counter_payment_dated_back_needs_a_reason_a_supervisor_and_never_precedes_the_filing(firm, cast, offices):
    from tests.factories import StaffFactory

    statement = _statement(firm, cast)  # wage month 01/2026, filed today
    on = datetime.date(2026, 2, 10)
    pay = {"officer": cast["counter"], "statement": statement, "amount": D("2750.00"), "method": "cash", "paid_on": on}
    confirmed = {"date_reason": "The system was down on 10/02", "date_confirmed_by": cast["supervisor"]}
    # Filed today: a payment before the filing is refused, confirmed or not (the surcharge follows the real date).
    _refused("before_filing", **pay, **confirmed)
    Statement.objects.filter(pk=statement.pk).update(received_at=datetime.datetime(2026, 2, 9, 9, tzinfo=datetime.UTC))
    statement.refresh_from_db()
    _refused("required", **pay)
    _refused("four_eyes", **pay, date_reason="The system was down")
    _refused("four_eyes", **pay | confirmed | {"date_confirmed_by": cast["counter"]})  # not their own
    _refused("four_eyes", **pay | confirmed | {"date_confirmed_by": cast["other_supervisor"]})  # another office's
    _refused("four_eyes", **pay | confirmed | {"date_confirmed_by": cast["verifier"]})  # not a supervisor
    gone = StaffFactory(username="gone_supervisor", office=offices["1001"], roles=["supervisor"], is_active=False)
    _refused("four_eyes", **pay | confirmed | {"date_confirmed_by": gone})
    payment = services.statement_pay(**pay, **confirmed)
    assert (payment.paid_on, payment.surcharge_amount) == (on, D("0.00"))
    assert (payment.date_reason, payment.date_confirmed_by) == ("The system was down on 10/02", cast["supervisor"])
    assert payment.history.first().date_confirmed_by == cast["supervisor"]


def test_a_counter_payment_of_today_needs_no_confirmation_and_a_future_day_is_refused(firm, cast):
    statement = _statement(firm, cast, period=month_first(timezone.localdate()), wages=("10000",))
    amount = services.statement_amount_due(statement).total
    pay = {"officer": cast["counter"], "statement": statement, "amount": amount, "method": "cash"}
    _refused("future", **pay, paid_on=timezone.localdate() + datetime.timedelta(days=1))
    payment = services.statement_pay(**pay, paid_on=timezone.localdate())
    assert (payment.date_reason, payment.date_confirmed_by) == ("", None)


def _paid_twice_by_the_bank(firm, cast):
    statement = _statement(firm, cast)
    pay = {"officer": cast["counter"], "amount": D("2750.00"), "method": "transfer", "channel": "bank"}
    first = services.statement_pay(
        statement=statement, reference="T1", idempotency_key="b-1", paid_on=datetime.date(2026, 2, 10), **pay
    )
    second = services.statement_pay(
        statement=statement, reference="T2", idempotency_key="b-2", paid_on=datetime.date(2026, 2, 12), **pay
    )
    return statement, first, second


def _months(statement):
    return sorted(
        (m.person_id, m.payment_id, m.wage) for m in ContributionMonth.objects.filter(period=statement.period)
    )


def test_voiding_the_first_of_two_bank_payments_hands_the_statement_to_the_second(firm, cast):
    statement, first, second = _paid_twice_by_the_bank(firm, cast)
    queued = Reimbursement.objects.get()
    assert queued.payment == second and queued.status == Reimbursement.Status.REQUESTED
    before = _months(statement)
    assert {payment for _, payment, _ in before} == {first.pk}
    services.receipt_void(receipt=first.receipt, officer=cast["counter"], reason="Posted to the wrong statement")
    statement.refresh_from_db()
    queued.refresh_from_db()
    # As if the first had never been posted: the second pays the statement, nothing to reimburse.
    assert statement.status == Statement.Status.PAID
    assert queued.status == Reimbursement.Status.WITHDRAWN
    assert queued.history.first().history_user == cast["counter"]
    assert _months(statement) == [(person, second.pk, wage) for person, _, wage in before]
    second.refresh_from_db()
    assert second.status == Payment.Status.POSTED


def test_voiding_the_second_of_two_bank_payments_withdraws_its_reimbursement_only(firm, cast):
    statement, first, second = _paid_twice_by_the_bank(firm, cast)
    before = _months(statement)
    services.receipt_void(receipt=second.receipt, officer=cast["counter"], reason="The bank posted it twice")
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PAID
    assert Reimbursement.objects.get().status == Reimbursement.Status.WITHDRAWN
    assert _months(statement) == before
    # Voiding the other one too leaves the statement unpaid, with no months.
    services.receipt_void(receipt=first.receipt, officer=cast["counter"], reason="Returned")
    statement.refresh_from_db()
    assert statement.status == Statement.Status.ACCEPTED
    assert _months(statement) == []


def test_a_payment_whose_reimbursement_left_in_a_batch_cannot_be_voided(firm, cast, offices):
    statement, first, second = _paid_twice_by_the_bank(firm, cast)
    queued = Reimbursement.objects.get()
    services.reimbursement_approve(reimbursement=queued, officer=cast["counter"])
    services.reimbursement_batch_create(office=offices["1001"], officer=cast["counter"])
    with pytest.raises(ValidationError, match="in a payment batch or already paid out"):
        services.receipt_void(receipt=second.receipt, officer=cast["counter"], reason="Twice")
    second.receipt.refresh_from_db()
    assert second.receipt.voided_at is None
    # The first one's void: the second's money is on its way back, so nothing pays the statement.
    services.receipt_void(receipt=first.receipt, officer=cast["counter"], reason="Wrong statement")
    statement.refresh_from_db()
    queued.refresh_from_db()
    assert statement.status == Statement.Status.ACCEPTED
    assert queued.status == Reimbursement.Status.APPROVED
    assert _months(statement) == []


def test_section39_contributions_are_432_a_month(cast, offices):
    from registry.services import section39_apply

    employer = employer_make(offices["1001"], cast["counter"], n=503)
    employment = employee_make(employer, 31, cast["counter"], started_on=datetime.date(2020, 1, 1))
    person = employment.person
    contribution_months_make(person, cast["counter"], last_period=datetime.date(2025, 12, 1), count=12)
    from registry.services import employee_leave

    employee_leave(
        officer=cast["counter"],
        employment=employment,
        ended_on=datetime.date(2025, 12, 31),
        reason="resigned",
        notified_on=datetime.date(2026, 1, 5),
    )
    section39_apply(officer=cast["counter"], person=person, applied_on=datetime.date(2026, 1, 10))
    pay = {
        "officer": cast["counter"],
        "person": person,
        "section": Section.S39,
        "period_from": datetime.date(2026, 1, 1),
        "period_to": datetime.date(2026, 3, 1),
        "method": "cash",
    }
    with pytest.raises(ValidationError):
        services.voluntary_pay(amount=D("1000"), **pay)
    payment = services.voluntary_pay(amount=D("1296.00"), **pay)
    assert payment.receipt.number == 1
    assert selectors.contribution_months_count(person.pk, before=datetime.date(2026, 4, 1), months=3, section="39") == 3
    with pytest.raises(ValidationError, match="Already paid"):
        services.voluntary_pay(amount=D("432.00"), **pay | {"period_to": datetime.date(2026, 1, 1)})


def test_a_section39_payment_dated_in_the_future_is_refused(cast, offices):
    from registry.services import employee_leave, section39_apply

    employer = employer_make(offices["1001"], cast["counter"], n=504)
    employment = employee_make(employer, 32, cast["counter"], started_on=datetime.date(2020, 1, 1))
    contribution_months_make(employment.person, cast["counter"], last_period=datetime.date(2025, 12, 1), count=12)
    employee_leave(
        officer=cast["counter"],
        employment=employment,
        ended_on=datetime.date(2025, 12, 31),
        reason="resigned",
        notified_on=datetime.date(2026, 1, 5),
    )
    section39_apply(officer=cast["counter"], person=employment.person, applied_on=datetime.date(2026, 1, 10))
    for channel in ("counter", "bank"):
        with pytest.raises(ValidationError) as refused:
            services.voluntary_pay(
                officer=cast["counter"],
                person=employment.person,
                section=Section.S39,
                period_from=datetime.date(2026, 1, 1),
                period_to=datetime.date(2026, 1, 1),
                amount=D("432.00"),
                method="transfer",
                reference="T9",
                channel=channel,
                paid_on=timezone.localdate() + datetime.timedelta(days=1),
            )
        assert refused.value.error_dict["paid_on"][0].code == "future"
    assert not Payment.objects.filter(receipt__isnull=False).exists()
    assert not ContributionMonth.objects.filter(section="39").exists()
