"""The arrears list: who did not file or did not pay a wage period, what they owe today, the
office scope, and the CSV / Excel export."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from contributions import arrears, rules, services
from contributions.models import ContributionRate
from contributions.services import LineInput
from sso.core.months import month_add, month_first
from tests.factories import counter_dated_back, employee_make, employer_make, province_get

D = Decimal
# Two periods before the latest one due, seen on the 20th of the month after its due month:
# two months late (a started month counts).
# (The latest period due, with the seeded rule's due day, the 15th.)
_TODAY = timezone.localdate()
LATEST = month_add(month_first(_TODAY), -1 if _TODAY.day > 15 else -2)
PERIOD = month_add(LATEST, -2)
TODAY = month_add(PERIOD, 2).replace(day=20)
PAID_ON = month_add(PERIOD, 1).replace(day=10)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _firm(office, officer, n, wages, started_on=datetime.date(2024, 1, 1)):
    employer = employer_make(office, officer, n=n, name_th=f"บริษัท ค้างจ่าย {n} จำกัด", name_en=f"Arrears {n} Ltd")
    people = [
        employee_make(employer, n * 10 + k, officer, started_on=started_on, monthly_wage=D(wage)).person
        for k, wage in enumerate(wages)
    ]
    return employer, people


def _file(employer, people, officer, wages, period=PERIOD, today=TODAY):
    return services.statement_submit(
        officer=officer,
        employer=employer,
        branch=employer.branches.get(),
        period=period,
        lines=[
            LineInput(line=k, national_id=p.national_id, wage=D(w))
            for k, (p, w) in enumerate(zip(people, wages, strict=True), 1)
        ],
        today=today,
    )


@pytest.fixture
def firms(cast, offices):
    """In office 1001: one that filed nothing, one that filed and did not pay, one that
    paid, one whose only employee left before the period; in office 5000 one that filed
    nothing."""
    officer = cast["counter"]
    silent, _p = _firm(offices["1001"], officer, 601, ["10010", "1000", "100000"])
    unpaid, unpaid_people = _firm(offices["1001"], officer, 602, ["9000", "12000"])
    _file(unpaid, unpaid_people, officer, ["9000", "12000"])
    paid, paid_people = _firm(offices["1001"], officer, 603, ["15000"])
    statement = _file(paid, paid_people, officer, ["15000"])
    services.statement_pay(
        officer=officer,
        statement=statement,
        amount=statement.total,
        method="cash",
        paid_on=PAID_ON,
        **counter_dated_back(statement, PAID_ON),
    )
    gone, gone_people = _firm(offices["1001"], officer, 604, ["9000"], started_on=datetime.date(2020, 1, 1))
    from registry.services import employee_leave

    employee_leave(
        officer=officer,
        employment=gone_people[0].employments.get(),
        ended_on=month_add(PERIOD, -1) - datetime.timedelta(days=1),
        reason="resigned",
        notified_on=month_add(PERIOD, -1),
    )
    elsewhere, _p = _firm(offices["5000"], cast["other_supervisor"], 605, ["9000"])
    return {"silent": silent, "unpaid": unpaid, "paid": paid, "gone": gone, "elsewhere": elsewhere}


def _estimate(wages, province_id=None):
    rate = rules.rate_for(PERIOD, province_id)
    return sum(
        (rules.line_compute(D(w), rate).employee + rules.line_compute(D(w), rate).employer for w in wages), D("0")
    )


def _accounts(rows):
    return {row.account_number for row in rows}


def test_it_lists_who_did_not_file_and_who_did_not_pay(firms, offices):
    rows, total = arrears.arrears_list(period=PERIOD, office_id=offices["1001"].pk, today=TODAY)
    assert _accounts(rows) == {firms["silent"].account_number, firms["unpaid"].account_number}
    assert total == 2
    by_account = {row.account_number: row for row in rows}
    unpaid = by_account[firms["unpaid"].account_number]
    assert unpaid.filed and not unpaid.estimated
    assert unpaid.contributions == D("2100.00")  # 9,000 and 12,000 at 5%: 450 + 600 on each side
    assert unpaid.head_count == 2
    silent = by_account[firms["silent"].account_number]
    assert not silent.filed and silent.estimated and silent.head_count == 3


def test_the_estimate_is_what_line_compute_gives_for_the_registered_wages(firms, offices):
    rows, _total = arrears.arrears_list(period=PERIOD, office_id=offices["1001"].pk, today=TODAY)
    silent = next(row for row in rows if row.account_number == firms["silent"].account_number)
    rate = rules.rate_for(PERIOD)
    assert silent.contributions == _estimate(["10010", "1000", "100000"])
    ceiling_share = rate.wage_ceiling * rate.employee_rate / 100
    assert silent.contributions == (D("501") + D("83") + ceiling_share) * 2  # half-up, the floor, the ceiling


def test_a_provinces_own_rate_changes_the_estimate(firms, offices):
    national = rules.rate_for(PERIOD)
    ContributionRate.objects.create(
        valid_from=PERIOD,
        valid_to=PERIOD,
        province=province_get("10"),
        employee_rate=D("3"),
        employer_rate=D("3"),
        government_rate=national.government_rate,
        wage_floor=national.wage_floor,
        wage_ceiling=national.wage_ceiling,
    )
    rows, _total = arrears.arrears_list(period=PERIOD, office_id=offices["1001"].pk, today=TODAY)
    silent = next(row for row in rows if row.account_number == firms["silent"].account_number)
    assert silent.contributions == _estimate(["10010", "1000", "100000"], province_id=province_get("10").pk)
    assert silent.contributions < _estimate(["10010", "1000", "100000"])


def test_the_surcharge_runs_to_today(firms, offices):
    rows, _total = arrears.arrears_list(period=PERIOD, office_id=offices["1001"].pk, today=TODAY)
    unpaid = next(row for row in rows if row.account_number == firms["unpaid"].account_number)
    assert unpaid.surcharge_months == 2
    assert unpaid.surcharge == D("84.00")  # 2,100 x 2% x 2
    assert unpaid.total == D("2184.00")
    due_day = rules.due_date(PERIOD, rules.surcharge_rule_for(PERIOD))
    on_time, _total = arrears.arrears_list(period=PERIOD, office_id=offices["1001"].pk, today=due_day)
    assert all(row.surcharge == 0 for row in on_time)


def test_an_employer_without_employees_in_the_period_is_not_listed(firms, offices):
    rows, _total = arrears.arrears_list(period=PERIOD, office_id=None, today=TODAY)
    assert firms["gone"].account_number not in _accounts(rows)
    older, _total = arrears.arrears_list(period=month_add(PERIOD, -2), office_id=None, today=TODAY)
    assert firms["gone"].account_number in _accounts(older)


def test_pages_are_cut_and_counted_in_one_query(firms, offices):
    with CaptureQueriesContext(connection) as queries:
        first, total = arrears.arrears_list(period=PERIOD, office_id=None, limit=2, offset=0, today=TODAY)
    assert len([q for q in queries.captured_queries if "registry_employment" in q["sql"]]) == 1
    assert len(queries.captured_queries) <= 8  # and the rules it reads
    second, _total = arrears.arrears_list(period=PERIOD, office_id=None, limit=2, offset=2, today=TODAY)
    assert total == 3 and len(first) == 2 and len(second) == 1
    assert _accounts(first) | _accounts(second) == {
        firms["silent"].account_number,
        firms["unpaid"].account_number,
        firms["elsewhere"].account_number,
    }


def test_the_latest_due_period_is_the_last_one_past_its_15th(db):
    assert arrears.latest_due_period() == LATEST
    assert arrears.latest_due_period(datetime.date(2026, 3, 15)) == datetime.date(2026, 1, 1)
    assert arrears.latest_due_period(datetime.date(2026, 3, 16)) == datetime.date(2026, 2, 1)


# Pages ------------------------------------------------------------------------------------


@pytest.fixture
def current(cast, offices):
    """Firms for the latest period due (the page's default): one silent in each office."""
    period = arrears.latest_due_period()
    home, _p = _firm(offices["1001"], cast["counter"], 611, ["9000"])
    away, _p = _firm(offices["5000"], cast["other_supervisor"], 612, ["9000"])
    return period, home, away


@pytest.mark.parametrize(
    ("who", "status", "sees_home", "sees_away"),
    [
        ("verifier", 200, True, False),
        ("supervisor", 200, True, False),
        ("other_supervisor", 200, False, True),
        ("national", 200, True, True),
        ("counter", 403, False, False),
        ("outsider", 403, False, False),
    ],
)
def test_the_page_shows_the_officers_office(current, cast, client_for, who, status, sees_home, sees_away):
    _period, home, away = current
    response = client_for(cast[who]).get(reverse("contributions:arrears"))
    assert response.status_code == status
    body = response.content.decode()
    assert (home.account_number in body) is sees_home
    assert (away.account_number in body) is sees_away


def test_a_national_officer_may_choose_an_office_and_others_may_not(current, cast, client_for, offices):
    period, home, away = current
    query = {"period": f"{period:%Y-%m}", "office": offices["5000"].pk}
    body = client_for(cast["national"]).get(reverse("contributions:arrears"), query).content.decode()
    assert away.account_number in body and home.account_number not in body
    body = client_for(cast["verifier"]).get(reverse("contributions:arrears"), query).content.decode()
    assert home.account_number in body and away.account_number not in body


def test_the_page_lists_an_earlier_period_on_request(firms, cast, client_for):
    response = client_for(cast["verifier"]).get(reverse("contributions:arrears"), {"period": f"{PERIOD:%Y-%m}"})
    body = response.content.decode()
    assert firms["silent"].account_number in body and firms["paid"].account_number not in body
    assert response.context["total"] == 2


def _download(client, fmt, language):
    url = reverse("contributions:arrears_export", args=[fmt])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switch
    response = client.get(url, {"period": f"{PERIOD:%Y-%m}"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return response


def _headers_in(language):
    with translation.override(language):
        return arrears._headers()


def test_the_csv_opens_in_excel_with_thai_text(firms, cast, client_for):
    content = _download(client_for(cast["verifier"]), "csv", "th").content
    assert content.startswith("\ufeff".encode())  # the byte-order mark Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == _headers_in("th")
    with translation.override("th"):
        if translation.gettext("Employer account number") != "Employer account number":
            assert rows[0][0] == "เลขที่บัญชีนายจ้าง"
    names = {row[1] for row in rows[1:]}
    assert "บริษัท ค้างจ่าย 601 จำกัด" in names
    silent = next(row for row in rows[1:] if row[0] == firms["silent"].account_number)
    assert D(silent[6]) == _estimate(["10010", "1000", "100000"])


def test_the_excel_file_has_the_same_list(firms, cast, client_for, offices):
    client = client_for(cast["verifier"])
    response = _download(client, "xlsx", "en")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == _headers_in("en")
    assert {row[0] for row in rows[1:]} == {firms["silent"].account_number, firms["unpaid"].account_number}
    unpaid = next(row for row in rows[1:] if row[0] == firms["unpaid"].account_number)
    listed, _total = arrears.arrears_list(period=PERIOD, office_id=offices["1001"].pk)  # as of today
    expected = next(row for row in listed if row.account_number == firms["unpaid"].account_number)
    assert (unpaid[6], unpaid[8], unpaid[10]) == (2100, expected.surcharge, expected.total)
    assert unpaid[5]  # the statement's date


def test_the_page_takes_a_fixed_number_of_queries(firms, cast, client_for, django_assert_max_num_queries):
    client = client_for(cast["verifier"])
    client.get(reverse("contributions:arrears"), {"period": f"{PERIOD:%Y-%m}"})  # the session and menu warmed
    # The session, the user and menu, the offices, the rates: the page itself is one query,
    # and one more for the employers' latest arrears notices (the follow-up column).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("contributions:arrears"), {"period": f"{PERIOD:%Y-%m}"})
    assert response.context["total"] == 2
