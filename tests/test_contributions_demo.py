"""The contributions demo-data generator: statements, lines, payments, receipts and months
consistent with each other and with the rules; receipt numbers unbroken; the latest period
left partly in arrears; idempotent."""

import argparse
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from contributions import arrears, demo, rules
from contributions.models import ContributionMonth, Payment, Receipt, ReceiptSeries, Statement, StatementLine
from registry import demo as registry_demo
from registry.models import Employment
from sso.core.months import month_add

pytestmark = pytest.mark.django_db
MONTHS = 3


@pytest.fixture
def generated(cast, offices):
    registry_demo.seed(stdout=None, employers=150, persons=600)
    counts = demo.contributions_generate(months=MONTHS)
    return counts


def _counts():
    return [model.objects.count() for model in (Statement, StatementLine, Payment, Receipt, ContributionMonth)]


def test_it_makes_a_history_for_the_months_asked_for(generated):
    latest = arrears.latest_due_period()
    periods = set(Statement.objects.values_list("period", flat=True))
    assert periods == {month_add(latest, -n) for n in range(MONTHS)}
    assert generated["statements"] == Statement.objects.count() > 0
    assert generated["lines"] == StatementLine.objects.count()
    assert generated["months"] == ContributionMonth.objects.count()
    assert Payment.objects.filter(kind="section39").exists() and Payment.objects.filter(kind="section40").exists()
    assert Payment.objects.filter(surcharge_months__gt=0).exists()  # some paid late
    assert {"cash", "transfer", "cheque", "card"} <= set(Payment.objects.values_list("method", flat=True))


def test_every_paid_statement_has_one_payment_one_receipt_and_its_months(generated):
    statements = Statement.objects.prefetch_related("payments__receipt", "lines")
    months = defaultdict(set)
    for payment_id, person_id, period, wage, amount in ContributionMonth.objects.values_list(
        "payment_id", "person_id", "period", "wage", "amount"
    ):
        months[payment_id].add((person_id, period, wage, amount))
    for statement in statements:
        payments = list(statement.payments.all())
        if statement.status == Statement.Status.ACCEPTED:
            assert payments == []
            continue
        assert statement.status == Statement.Status.PAID and len(payments) == 1
        payment = payments[0]
        assert payment.receipt.office_id == payment.office_id == statement.office_id
        lines = {
            (line.person_id, statement.period, line.contribution_wage, line.employee_amount)
            for line in statement.lines.all()
        }
        assert months[payment.pk] == lines


def test_the_amounts_follow_the_rules(generated):
    for statement in Statement.objects.prefetch_related("lines", "payments"):
        rate = rules.rate_for(statement.period, statement.branch.province_id)
        lines = list(statement.lines.all())
        assert statement.head_count == len(lines)
        assert sorted(line.line_number for line in lines) == list(range(1, len(lines) + 1))
        computed = [rules.line_compute(line.wage, rate) for line in lines]
        assert [(c.contribution_wage, c.employee, c.employer) for c in computed] == [
            (line.contribution_wage, line.employee_amount, line.employer_amount) for line in lines
        ]
        assert statement.employee_total == sum(c.employee for c in computed)
        assert statement.government_total == sum(c.government for c in computed)
        assert statement.total_wages == sum(line.wage for line in lines)
        for payment in statement.payments.all():
            surcharge = rules.surcharge_compute(statement.period, statement.total, payment.paid_on)
            assert (payment.contribution_amount, payment.surcharge_amount, payment.surcharge_months) == (
                statement.total,
                surcharge.amount,
                surcharge.months,
            )
            assert payment.amount == statement.total + surcharge.amount
            if payment.method in ("cheque", "transfer"):
                assert payment.reference
    for payment in Payment.objects.exclude(kind="statement").select_related("person"):
        assert payment.period_from == payment.period_to
        if payment.kind == "section39":
            assert payment.amount == rules.section39_amount(payment.period_from) == Decimal("432.00")
        else:
            option = rules.section40_option_for(payment.period_from, payment.section40_option)
            assert payment.amount == option.person_amount


def test_receipt_numbers_run_unbroken_per_office_and_year(generated):
    numbers = defaultdict(list)
    receipts = Receipt.objects.values_list("office_id", "year", "number", "payment__posted_at")
    for office_id, year, number, posted_at in receipts:
        numbers[office_id, year].append(number)
        assert year == timezone.localdate(posted_at).year + 543
    series = {(s.office_id, s.year): s.last_number for s in ReceiptSeries.objects.all()}
    for key, found in numbers.items():
        assert sorted(found) == list(range(1, len(found) + 1))
        assert series[key] == len(found)
    assert not Payment.objects.filter(posted_at__gt=timezone.now()).exists()
    assert not Payment.objects.filter(paid_on__gt=timezone.localdate()).exists()


def test_the_latest_period_is_left_partly_unfiled_and_unpaid(generated):
    latest = arrears.latest_due_period()
    rows, total = arrears.arrears_list(period=latest, office_id=None)
    assert total > 0
    assert any(row.filed for row in rows) or Statement.objects.filter(period=latest, status="accepted").count() == 0
    assert any(not row.filed for row in rows)
    with_employees = (
        Employment.objects.filter(started_on__lt=month_add(latest, 1))
        .exclude(ended_on__lt=latest)
        .values("branch")
        .distinct()
        .count()
    )
    assert Statement.objects.filter(period=latest).count() < with_employees


def test_a_second_run_adds_nothing_and_a_longer_history_adds_only_older_months(generated):
    before = _counts()
    assert demo.contributions_generate(months=MONTHS)["statements"] == 0
    assert _counts() == before
    added = demo.contributions_generate(months=MONTHS + 1)
    oldest = month_add(arrears.latest_due_period(), -MONTHS)
    assert added["statements"] == Statement.objects.filter(period=oldest).count() > 0
    assert Receipt.objects.count() == before[3] + added["payments"]
    numbers = defaultdict(list)
    for office_id, year, number in Receipt.objects.values_list("office_id", "year", "number"):
        numbers[office_id, year].append(number)
    assert all(sorted(found) == list(range(1, len(found) + 1)) for found in numbers.values())


def test_the_command_option_and_none_asked_for(db):
    parser = argparse.ArgumentParser()
    demo.add_arguments(parser)
    assert parser.parse_args([]).contribution_months == demo.DEFAULT_MONTHS
    assert parser.parse_args(["--contribution-months", "24"]).contribution_months == 24
    demo.seed(stdout=None, contribution_months=0)
    assert not Statement.objects.exists()
