"""The back office's report sections (benefits/reports.py, contributions/reports.py): exact
figures from a few claims, steps, orders and payments made here; the summary roll-ups are
idempotent and a re-roll picks up a correction; an office sees its own figures, the national
period every office's."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from contributions import reports as contribution_reports
from contributions import services as contribution_services
from contributions.filters import StatementFilter
from contributions.models import CollectionDay, Statement
from sso.core.reports import Period
from tests.factories import employee_make, employer_make, statement_make, statement_paid_make

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
