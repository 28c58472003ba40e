"""The queue planner's plan (issue 19): the search for the fewest counter-hours meeting the
standard, the supervisor's edited plan simulated again (and refused when the office cannot
work it, nothing stored), the roster as PDF and XLSX, and the plan beside what happened."""

import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from queueing.demo import demo_history_generate
from queueing.models import PlannerRun, Service
from queueing.planning.calendar import office_calendar
from queueing.planning.plan import Shift, Standard, counter_hours, plan_check, plan_search
from queueing.planning.selectors import recorded_days
from queueing.planning.services import planner_run_execute, planner_run_request
from queueing.planning.simulation import HOUR, DayModel, ServiceModel
from tests.factories import queue_office

pytestmark = pytest.mark.django_db

OPENS, CLOSES = 8.5 * HOUR, 16.5 * HOUR


def _minutes(mean: int) -> list[int]:
    """Service times of `mean` minutes, give or take one."""
    hist = [0] * (mean + 2)
    hist[mean - 1] = hist[mean] = hist[mean + 1] = 1
    return hist


def _model():
    return DayModel(
        counters=[],
        services={
            1: ServiceModel(service_id=1, service_hist=_minutes(10), target_minutes=30),
            2: ServiceModel(service_id=2, service_hist=_minutes(10), target_minutes=30),
        },
    )


# A morning rush of service 1 (24 an hour from 9 to 11: four counters' work), otherwise 3 an hour each.
RATES = {(s, h): 3.0 for s in (1, 2) for h in range(8, 17)} | {(1, 9): 24.0, (1, 10): 24.0}
COUNTERS = [(n, (1, 2)) for n in range(1, 9)]


def test_the_search_finds_fewer_counter_hours_than_all_counters_open_and_meets_the_standard():
    standard = Standard(share=0.9, confidence=0.9)
    found = plan_search(
        _model(), RATES, counters=COUNTERS, opens=OPENS, closes=CLOSES, standard=standard, replications=100
    )
    assert found.check.meets, found.steps
    everyone = [Shift(n, s, OPENS, CLOSES) for n, s in COUNTERS]
    assert counter_hours(found.shifts) < counter_hours(everyone) / 2

    # More counters in the rush than in a quiet hour.
    def open_at(hour):
        return sum(1 for s in found.shifts if s.opens <= hour * HOUR < s.closes)

    assert open_at(10) >= open_at(14) + 2
    # Confirmed with the full replications: at least 90 of 100 days meet the standard.
    assert all(c.met >= 0.9 for c in found.check.services.values())


def test_a_counter_closed_in_the_rush_misses_the_standard_and_the_check_says_which_service():
    standard = Standard()
    found = plan_search(
        _model(), RATES, counters=COUNTERS, opens=OPENS, closes=CLOSES, standard=standard, replications=100
    )
    rush = [s for s in found.shifts if s.opens <= 10 * HOUR < s.closes]
    # Close, through the rush, as many counters as leave two open.
    closed = {s.number for s in rush[2:]}
    fewer = [s for s in found.shifts if s.number not in closed]
    checked = plan_check(_model(), fewer, RATES, standard=standard, closes=CLOSES, replications=100)
    assert not checked.meets and not checked.services[1].meets


def test_two_plans_simulated_with_one_seed_meet_the_same_customers():
    """Common random numbers: the arrivals and their service times do not depend on the plan."""
    one = plan_check(
        _model(), [Shift(1, (1, 2), OPENS, CLOSES)], RATES, standard=Standard(), closes=CLOSES, replications=5
    )
    many = plan_check(
        _model(),
        [Shift(n, (1, 2), OPENS, CLOSES) for n in (1, 2, 3, 4, 5)],
        RATES,
        standard=Standard(),
        closes=CLOSES,
        replications=5,
    )
    assert one.result.day().tickets == many.result.day().tickets
    assert many.services[1].within > one.services[1].within


def test_a_counter_moving_to_another_service_by_the_hour_serves_one_customer_at_a_time():
    shifts = [Shift(1, (1,), OPENS, 12 * HOUR), Shift(1, (2,), 12 * HOUR, CLOSES)]
    checked = plan_check(_model(), shifts, RATES, standard=Standard(), closes=CLOSES, replications=10)
    # One counter: never more than one counter's time busy in an hour.
    for hour, busy in checked.result.busy.items():
        assert busy <= checked.result.open.get(hour, 0) + 1e-6


# The planner's runs of a plan, on the demo's history.


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def demo_office(cast, offices):
    office = queue_office(offices["1001"], counters=6)
    assert demo_history_generate(days=42) > 0
    return office


def _ordinary_day(office_id: int) -> datetime.date:
    today = timezone.localdate()
    calendar = office_calendar(office_id=office_id, start=today, end=today + datetime.timedelta(days=40))
    return next(d for d, i in sorted(calendar.items()) if d > today and i.is_open and i.position == "ordinary")


@pytest.fixture
def planned(cast, demo_office):
    """A run of an ordinary coming day, worked out: its plan found."""
    run = planner_run_request(
        office=demo_office,
        day=_ordinary_day(demo_office.pk),
        officer=cast["supervisor"],
        replications=50,
        spare_desks=2,
    )
    return planner_run_execute(run_id=run.pk)


def test_a_run_recommends_a_plan_beside_the_office_s_counters_now(cast, client_for, planned):
    assert planned.status == PlannerRun.Status.DONE, planned.error
    plan, roster = planned.result["plan"], planned.result["roster"]
    assert plan["meets"], plan["services"]
    assert plan["counter_hours"] <= roster["counter_hours"] == 48.0  # 6 counters, 8 hours
    assert plan["search"]["evaluations"] > 1
    page = client_for(cast["supervisor"]).get(reverse("queueing:planner_run", args=[planned.pk])).content.decode()
    for block in ("planner-plan", "planner-roster", "planner-plan-meets", "planner-plan-form", "planner-roster-pdf"):
        assert f'data-testid="{block}"' in page
    assert 'data-chart="chart-plan-counters"' in page


def _formset_data(shifts: list[dict]) -> dict:
    data = {
        "shift-TOTAL_FORMS": len(shifts),
        "shift-INITIAL_FORMS": 0,
        "shift-MIN_NUM_FORMS": 0,
        "shift-MAX_NUM_FORMS": 200,
    }
    for n, shift in enumerate(shifts):
        data[f"shift-{n}-number"] = shift["number"]
        data[f"shift-{n}-services"] = shift["services"]
        data[f"shift-{n}-opens"] = shift["opens"]
        data[f"shift-{n}-closes"] = shift["closes"]
        if shift.get("delete"):
            data[f"shift-{n}-DELETE"] = "on"
    return data


def _shifts_of(run) -> list[dict]:
    clock = lambda s: f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}"  # noqa: E731
    return [
        {"number": s["number"], "services": s["services"], "opens": clock(s["opens"]), "closes": clock(s["closes"])}
        for s in run.result["plan"]["shifts"]
    ]


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("outside", "the office is open from 08:30 to 16:30 only"),
        ("no_counter", "No counter serves Contribution payment from"),
        ("no_service", "serves no service"),
    ],
)
def test_an_edited_plan_the_office_cannot_work_is_refused_and_nothing_is_stored(
    cast, client_for, planned, change, message
):
    shifts = _shifts_of(planned)
    contribution = Service.objects.get(office=planned.office, kind="contribution").pk
    if change == "outside":
        shifts[0]["opens"] = "07:00"
    elif change == "no_counter":
        shifts = [{**s, "services": [x for x in s["services"] if x != contribution]} for s in shifts]
        shifts = [s for s in shifts if s["services"]]
    else:
        shifts[0]["services"] = []
    before = PlannerRun.objects.count()
    client = _english(client_for(cast["supervisor"]))
    response = client.post(reverse("queueing:planner_plan_edit", args=[planned.pk]), _formset_data(shifts))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert PlannerRun.objects.count() == before
    # The same refusal in Thai.
    thai = client_for(cast["supervisor"]).post(
        reverse("queueing:planner_plan_edit", args=[planned.pk]), _formset_data(shifts)
    )
    assert thai.status_code == 400 and 'data-testid="planner-plan-refused"' in thai.content.decode()
    assert PlannerRun.objects.count() == before


def test_a_past_day_or_too_little_history_is_refused_for_a_plan_too(cast, demo_office, english):
    from django.core.exceptions import ValidationError

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="has passed"):
        planner_run_request(office=demo_office, day=yesterday, officer=cast["supervisor"], plan=[])
    assert not PlannerRun.objects.exists()


def test_an_edited_plan_is_simulated_as_a_new_run_of_the_same_day(cast, client_for, planned):
    shifts = _shifts_of(planned)
    # Counter 9 takes over the first shift, which is closed.
    shifts.append({**shifts[0], "number": 9})
    shifts[0]["delete"] = True
    client = client_for(cast["supervisor"])
    response = client.post(reverse("queueing:planner_plan_edit", args=[planned.pk]), _formset_data(shifts))
    body = response.content.decode()
    assert response.status_code == 302, body[body.find("planner-plan-form") :][:3000]
    edited = PlannerRun.objects.exclude(pk=planned.pk).get()
    assert (edited.parent, edited.day, edited.replications) == (planned, planned.day, planned.replications)
    first = planned.result["plan"]["shifts"][0]
    assert len(edited.plan) == len(shifts) - 1 and {**first, "number": 9} in edited.plan
    assert first not in edited.plan or sum(1 for s in edited.plan if s["number"] == first["number"]) >= 1
    done = planner_run_execute(run_id=edited.pk)
    assert done.status == PlannerRun.Status.DONE, done.error
    assert done.result["plan"]["edited_from"] == planned.pk
    page = client.get(reverse("queueing:planner_run", args=[edited.pk])).content.decode()
    assert 'data-testid="planner-roster"' in page and "planner-plan-form" in page


def test_the_roster_downloads_as_a_thai_pdf_and_an_xlsx_with_formulas_neutralised(cast, client_for, planned):
    from openpyxl import load_workbook

    service = Service.objects.get(office=planned.office, kind="contribution")
    plan = planned.result["plan"]
    plan["labels"][str(service.pk)] = {"th": '=HYPERLINK("x")', "en": '=HYPERLINK("x")'}
    planned.save(update_fields=["result"])
    client = client_for(cast["supervisor"])
    pdf = client.get(reverse("queueing:planner_roster_pdf", args=[planned.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("queueing:planner_roster_xlsx", args=[planned.pk]))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any("HYPERLINK" in v for v in values)
    assert not any(v.startswith("=") for v in values)
    assert sheet.cell(1, 2).value == "08:30-09:00"


def test_after_the_day_the_page_shows_the_plan_beside_what_happened(cast, client_for, planned):
    [recorded] = recorded_days(office_id=planned.office.pk, before=timezone.localdate(), count=1)
    PlannerRun.objects.filter(pk=planned.pk).update(day=recorded)
    page = client_for(cast["supervisor"]).get(reverse("queueing:planner_run", args=[planned.pk])).content.decode()
    assert 'data-testid="planner-outcome"' in page
    section = page[page.index('data-testid="planner-outcome"') :]
    assert "09:00" in section


# Head office's what-if: contribution payers moved to the bank and internet channels.


def test_moving_contribution_payers_to_other_channels_shortens_the_day_s_waits(cast, client_for, demo_office):
    from queueing.planning.services import planner_what_if_request

    # The demo's 42 days hold no open 15th to forecast one from: an ordinary day.
    day = _ordinary_day(demo_office.pk)
    national = cast["national"]
    client = client_for(national)
    assert client.get(reverse("queueing:planner_what_if")).status_code == 200
    run = planner_what_if_request(
        office=national.office, offices=[demo_office], day=day, shares=[0, 50], officer=national, replications=50
    )
    done = planner_run_execute(run_id=run.pk)
    assert done.status == PlannerRun.Status.DONE, done.error
    [office] = done.result["what_if"]["offices"]
    none, half = office["rows"]
    assert (none["share"], half["share"]) == (0, 50)
    assert half["arrivals"] < none["arrivals"]
    assert half["contribution_p90"] <= none["contribution_p90"]
    page = client.get(reverse("queueing:planner_run", args=[run.pk])).content.decode()
    assert 'data-testid="planner-what-if"' in page and "50%" in page


@pytest.mark.parametrize(("shares", "days", "message"), [([95], 10, "from 0% to 90%"), ([0, 20], -1, "has passed")])
def test_a_what_if_of_a_past_day_or_an_impossible_share_is_refused_and_nothing_is_stored(
    cast, client_for, demo_office, shares, days, message
):
    client = _english(client_for(cast["national"]))
    day = timezone.localdate() + datetime.timedelta(days=days)
    response = client.post(
        reverse("queueing:planner_what_if"),
        {"day": day.isoformat(), "office": demo_office.code, "shares": ", ".join(map(str, shares)), "replications": 50},
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not PlannerRun.objects.exists()
