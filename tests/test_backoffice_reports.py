"""The back office's report sections (benefits/reports.py, contributions/reports.py): exact
figures from a few claims, steps, orders and payments made here; the summary roll-ups are
idempotent and a re-roll picks up a correction; an office sees its own figures, the national
period every office's."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from benefits import reports as benefit_reports
from benefits import summaries as benefit_summaries
from benefits.models import Claim, ClaimStep, ClaimStepDay
from contributions import reports as contribution_reports
from contributions import services as contribution_services
from contributions.filters import StatementFilter
from contributions.models import CollectionDay, Statement
from sso.core.reports import Period
from tests.factories import (
    ClaimFactory,
    PaymentOrderFactory,
    employee_make,
    employer_make,
    statement_make,
    statement_paid_make,
)

D = Decimal
PAID_ON = datetime.date(2025, 11, 10)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# Contributions -----------------------------------------------------------------------------


@pytest.fixture
def collected(cast, offices):
    """Office 1001: 1,000 at the counter and 2,000 by bank on 10 Nov 2025, 1,000 by internet
    on the 11th; office 5000: 1,000 at the counter on the 10th. Each person's share 500 and
    the employer's 500 of a 10,000 wage, paid before the 15th (no surcharge)."""
    home, other = offices["1001"], offices["5000"]
    counter = cast["counter"]
    other_counter = cast["other_supervisor"]

    def paid(office, officer, n, people, **payment):
        employer = employer_make(office, officer, n=n)
        persons = [employee_make(employer, n * 10 + i, officer).person for i in range(people)]
        return statement_paid_make(statement_make(employer, officer, persons), officer, **payment)

    return {
        "counter": paid(home, counter, 901, 1),
        "bank": paid(home, counter, 902, 2, channel="bank", method="transfer", reference="BBL-1"),
        "internet": paid(
            home,
            counter,
            903,
            1,
            channel="internet",
            method="transfer",
            reference="NET-1",
            paid_on=PAID_ON + datetime.timedelta(days=1),
        ),
        "elsewhere": paid(other, other_counter, 904, 1),
    }


def _channels(content):
    return {
        row["channel"]: (row["payments"], row["share_payments"], row["amount"], row["share_amount"])
        for row in content.table("by_channel").rows
    }


def test_collection_by_channel_gives_each_channels_count_amount_and_share(collected, offices):
    period = Period(offices["1001"].pk, PAID_ON, PAID_ON + datetime.timedelta(days=1))
    content = contribution_reports.collection(period)

    assert _channels(content) == {
        "Counter": (1, 1 / 3, D("1000.00"), 0.25),
        "Bank": (1, 1 / 3, D("2000.00"), 0.5),
        "Post office": (0, 0.0, D("0.00"), 0.0),
        "Internet": (1, 1 / 3, D("1000.00"), 0.25),
    }
    assert [(f.key, f.value) for f in content.figures] == [
        ("collected", D("4000.00")),
        ("payments", 3),
        ("counter_share", 0.25),
    ]
    days = content.table("by_day")
    assert [(r["day"], r["counter"], r["bank"], r["post"], r["internet"], r["total"]) for r in days.rows] == [
        (PAID_ON, D("1000.00"), D("2000.00"), D("0.00"), D("0.00"), D("3000.00")),
        (PAID_ON + datetime.timedelta(days=1), D("0.00"), D("0.00"), D("0.00"), D("1000.00"), D("1000.00")),
    ]
    assert days.totals["total"] == D("4000.00")
    assert days.drill(days.rows[0]) == "/contributions/receipts/?day=2025-11-10"


def test_the_national_period_adds_every_office_and_an_office_sees_only_its_own(collected, offices):
    national = contribution_reports.collection(Period(None, PAID_ON, PAID_ON))
    assert _channels(national)["Counter"] == (2, 2 / 3, D("2000.00"), 0.5)
    assert national.figures[0].value == D("4000.00")
    chiang_mai = contribution_reports.collection(Period(offices["5000"].pk, PAID_ON, PAID_ON))
    assert chiang_mai.figures[0].value == D("1000.00")
    assert _channels(chiang_mai)["Bank"] == (0, 0.0, D("0.00"), 0.0)


def test_the_roll_is_idempotent_and_a_re_roll_picks_up_a_voided_receipt(collected, offices, cast):
    assert contribution_services.collection_summary_roll(day=PAID_ON) == 3  # 1001 counter and bank, 5000 counter
    assert contribution_services.collection_summary_roll(day=PAID_ON) == 3
    rows = list(
        CollectionDay.objects.filter(day=PAID_ON, measure="payment").values_list(
            "office__code", "key", "count", "amount"
        )
    )
    assert sorted(rows) == [
        ("1001", "bank", 1, D("2000.00")),
        ("1001", "counter", 1, D("1000.00")),
        ("5000", "counter", 1, D("1000.00")),
    ]

    contribution_services.receipt_void(receipt=collected["bank"].receipt, officer=cast["supervisor"], reason="Bounced")
    period = Period(offices["1001"].pk, PAID_ON, PAID_ON)
    # Already rolled: the report reads the summary as it was until the day is rolled again.
    assert contribution_reports.collection(period).figures[0].value == D("3000.00")
    contribution_services.collection_summary_roll(day=PAID_ON, office_id=offices["1001"].pk)
    content = contribution_reports.collection(period)
    assert content.figures[0].value == D("1000.00")
    assert _channels(content)["Bank"] == (0, 0.0, D("0.00"), 0.0)
    assert CollectionDay.objects.filter(day=PAID_ON, office=offices["5000"]).count() == 1  # the other office kept


def test_statements_received_today_by_source(collected, offices):
    today = timezone.localdate()
    content = contribution_reports.statements(Period(offices["1001"].pk, today, today))
    rows = {row["code"]: (row["statements"], row["share"], row["amount"]) for row in content.table("by_source").rows}
    assert rows["counter"] == (3, 1.0, D("4000.00"))
    assert rows["file"] == (0, 0.0, D("0.00"))
    table = content.table("by_source")
    assert table.drill(table.rows[0]) == (
        f"/contributions/statements/?source=counter&received_from={today}&received_to={today}"
    )
    assert contribution_reports.statements(Period(None, today, today)).figures[0].value == 4


def test_the_statement_list_filters_by_the_day_received(collected, cast, client_for):
    client = client_for(cast["counter"])
    today = timezone.localdate()

    def listed(**query):
        html = client.get("/contributions/statements/", query).content.decode()
        return len(re.findall(r'href="/contributions/statements/\d+/"', html))

    assert listed(received_from=today.isoformat(), received_to=today.isoformat()) == 3
    assert listed(received_to=(today - datetime.timedelta(days=1)).isoformat()) == 0
    assert StatementFilter({"received_from": today.isoformat()}, queryset=Statement.objects.all()).qs.count() == 4


# Benefits ----------------------------------------------------------------------------------

DAY = datetime.date(2026, 3, 10)


def _at(hours: float, day=DAY):
    zone = timezone.get_current_timezone()
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=zone) + datetime.timedelta(hours=hours)


def _claim_with_steps(person, cast, moves, *, benefit="sickness", paid_at=None):
    """A claim recorded at 09:00 on DAY, moved through `moves` [(status, hours after)]."""
    claim = ClaimFactory(person=person, recorded_by=cast["counter"], benefit=benefit, status=moves[-1][0])
    Claim.objects.filter(pk=claim.pk).update(recorded_at=_at(0))
    previous = ""
    for status, hours in [("recorded", 0), *moves]:
        step = ClaimStep.objects.create(claim=claim, from_status=previous, to_status=status)
        ClaimStep.objects.filter(pk=step.pk).update(at=_at(hours))
        previous = status
    if paid_at is not None:
        PaymentOrderFactory(claim=claim, status="paid", paid_at=paid_at)
    return claim


@pytest.fixture
def stepped(cast, offices):
    home = employer_make(offices["1001"], cast["counter"], n=921)
    away = employer_make(offices["5000"], cast["other_supervisor"], n=922)
    people = [employee_make(home, 9210 + n, cast["counter"]).person for n in range(3)]
    return {
        "a": _claim_with_steps(people[0], cast, [("examined", 0), ("approved", 2)], paid_at=_at(24)),
        "b": _claim_with_steps(people[1], cast, [("examined", 1), ("approved", 5)]),
        "c": _claim_with_steps(people[2], cast, [("examined", 0.5), ("rejected", 6)]),
        "e": _claim_with_steps(employee_make(away, 9220, cast["other_supervisor"]).person, cast, [("examined", 2)]),
    }


def _durations(period):
    return {
        (row["step"], row["benefit"]): (row["claims"], row["p50"], row["p90"])
        for row in benefit_reports.durations(period).table("step_durations").rows
    }


def test_step_durations_are_exact_p50_and_p90_per_benefit_and_step(stepped, offices):
    # Examine 0, 1, 0.5 h; decide 2, 4, 5.5 h; pay 22 h (the next day). p90 interpolates.
    two_days = Period(offices["1001"].pk, DAY, DAY + datetime.timedelta(days=1))
    assert _durations(two_days) == {
        ("Record to examine", "Sickness"): (3, D("0.50"), D("0.90")),
        ("Examine to decision", "Sickness"): (3, D("4.00"), D("5.20")),
        ("Approval to payment", "Sickness"): (1, D("22.00"), D("22.00")),
    }
    # The national period adds office 5000's examination (2 h); one day leaves the payment out.
    national = _durations(Period(None, DAY, DAY))
    assert national[("Record to examine", "Sickness")] == (4, D("0.75"), D("1.70"))
    assert ("Approval to payment", "Sickness") not in national
    assert _durations(Period(offices["5000"].pk, DAY, DAY)) == {
        ("Record to examine", "Sickness"): (1, D("2.00"), D("2.00"))
    }


def test_the_step_roll_is_idempotent_and_a_re_roll_picks_up_a_correction(stepped, offices):
    assert benefit_summaries.claim_steps_roll(day=DAY) == 3  # 1001 examine and adjudicate, 5000 examine
    assert benefit_summaries.claim_steps_roll(day=DAY) == 3
    row = ClaimStepDay.objects.get(day=DAY, office=offices["1001"], step="adjudicate")
    assert (row.count, row.seconds) == (3, [7200, 14400, 19800])
    ClaimStep.objects.filter(claim=stepped["c"], to_status="rejected").update(at=_at(3))
    benefit_summaries.claim_steps_roll(day=DAY)
    assert ClaimStepDay.objects.get(day=DAY, office=offices["1001"], step="adjudicate").seconds == [7200, 9000, 14400]


def test_the_backlog_counts_waiting_claims_by_step_and_age_band(cast, offices):
    home = employer_make(offices["1001"], cast["counter"], n=931)
    now = timezone.now()
    ages = [
        ("recorded", 1),
        ("examined", 5),
        ("referred", 10),
        ("referred", 20),
        ("approved", 40),
        ("approved", 40),
        ("rejected", 2),
    ]
    for n, (status, days) in enumerate(ages):
        claim = ClaimFactory(
            person=employee_make(home, 9310 + n, cast["counter"]).person, recorded_by=cast["counter"], status=status
        )
        Claim.objects.filter(pk=claim.pk).update(recorded_at=now - datetime.timedelta(days=days, hours=1))
        if n == 5:
            PaymentOrderFactory(claim=claim, status="paid", paid_at=now)  # paid: no longer waiting
    content = benefit_reports.backlog(Period(offices["1001"].pk, DAY, timezone.localdate()))
    table = content.table("backlog")
    assert [(r["status"], r["0-3"], r["4-7"], r["8-14"], r["15-30"], r["31+"], r["total"]) for r in table.rows] == [
        ("recorded", 1, 0, 0, 0, 0, 1),
        ("examined", 0, 1, 0, 0, 0, 1),
        ("referred", 0, 0, 1, 1, 0, 2),
        ("approved", 0, 0, 0, 0, 1, 1),
    ]
    assert content.figures[0].value == 5
    assert table.drill(table.rows[2]) == "/benefits/claims/?status=referred"
    today = timezone.localdate()
    assert benefit_reports.backlog(Period(offices["5000"].pk, DAY, today)).figures[0].value == 0
    assert benefit_reports.backlog(Period(None, DAY, today)).figures[0].value == 5
    # As of DAY's end (a range ending in the past) the claims, recorded since, were not there.
    assert benefit_reports.backlog(Period(None, DAY, DAY)).figures[0].value == 0
    verification = {r["key"]: r["claims"] for r in content.table("verification").rows}
    assert verification == {"pending": 7, "findings": 0}  # none verified yet, none withdrawn
