"""The queue planner (issue 19): the forecast of an office's arrivals from its own history,
the simulation of its day, and the simulation checked against recorded days.

The forecast's history is written as summary rows (what the forecast reads) with a known
answer: an ordinary day brings 100, the 15th 2.5 times that, the days either side 1.8 and
1.2 times, the month's last two days 1.6 times, and the working day after a holiday 1.3
times whatever it would otherwise bring; half come for contributions at 9, half for
sickness at 10. "Today" is Tuesday 1 December 2026: Monday 7 December is a public holiday
(in lieu of King Bhumibol's birthday), Thursday 10 December too (Constitution Day).
"""

import datetime
import math
import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from queueing.demo import demo_history_generate
from queueing.models import HISTOGRAM_CAP, OfficeClosure, PlannerRun, QueueSummary, Service, Ticket
from queueing.planning.calendar import day_position, office_calendar
from queueing.planning.forecast import MIN_DAYS, backtest, forecast_days
from queueing.planning.selectors import recorded_day, recorded_days
from queueing.planning.services import planner_run_execute, planner_run_request
from queueing.planning.simulation import HOUR, CounterPlan, DayModel, ServiceModel, simulate
from queueing.planning.validation import validate
from tests.factories import queue_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def english():
    """The refusals in English (Thai is the default language)."""
    with translation.override("en"):
        yield


TODAY = datetime.date(2026, 12, 1)
FACTORS = {"due+0": 2.5, "due-1": 1.8, "due+1": 1.8, "due-2": 1.2, "due+2": 1.2, "month_end": 1.6, "ordinary": 1.0}


def known_total(info) -> int:
    return round(100 * FACTORS[info.position] * (1.3 if info.after_closed else 1.0))


def history_write(office, days):
    """Summary rows of `days` (DayInfo): half of each day's total at 9 (contributions), half at 10 (sickness)."""
    contribution = Service.objects.get(office=office, kind="contribution")
    sickness = Service.objects.get(office=office, kind="sickness")
    now = timezone.now()
    rows = []
    for info in days:
        total = known_total(info)
        assert total % 2 == 0
        for service, hour in ((contribution, 9), (sickness, 10)):
            rows.append(
                QueueSummary(
                    office=office, day=info.day, service=service, hour=hour, priority=1,
                    tickets=total // 2, arrivals=total // 2, rolled_at=now,
                )
            )  # fmt: skip
    QueueSummary.objects.bulk_create(rows)
    return contribution, sickness


@pytest.fixture
def office(offices):
    return queue_office(offices["1001"], counters=6)


@pytest.fixture
def history(office):
    """16 weeks of open days before TODAY."""
    start = TODAY - datetime.timedelta(weeks=16)
    calendar = office_calendar(office_id=office.pk, start=start, end=TODAY - datetime.timedelta(days=1))
    return history_write(office, [info for info in calendar.values() if info.is_open])


def test_the_day_positions_follow_the_15th_and_the_months_end():
    assert day_position(datetime.date(2026, 12, 15)) == "due+0"
    assert day_position(datetime.date(2026, 12, 13)) == "due-2"
    assert day_position(datetime.date(2026, 12, 18)) == "ordinary"
    assert day_position(datetime.date(2026, 12, 30)) == "month_end"
    assert day_position(datetime.date(2026, 2, 27)) == "month_end"
    assert day_position(datetime.date(2026, 2, 26)) == "ordinary"


def test_the_forecast_gives_the_known_answer_of_a_synthetic_history(office, history):
    contribution, sickness = history
    days = [datetime.date(2026, 12, 2), datetime.date(2026, 12, 15), datetime.date(2026, 12, 30)]
    ordinary, fifteenth, month_end = forecast_days(office_id=office.pk, days=days, today=TODAY)
    assert ordinary.info.position == "ordinary" and not ordinary.missing
    assert ordinary.total == pytest.approx(100)
    assert ordinary.base == pytest.approx(100) and ordinary.trend == pytest.approx(1)
    assert fifteenth.factor == pytest.approx(2.5) and fifteenth.total == pytest.approx(250)
    assert fifteenth.cells == {(contribution.pk, 9): pytest.approx(125), (sickness.pk, 10): pytest.approx(125)}
    assert fifteenth.hours == {9: pytest.approx(125), 10: pytest.approx(125)}
    assert month_end.total == pytest.approx(160)


def test_a_public_holiday_is_closed_and_the_day_after_it_brings_what_such_days_brought(office, history):
    holiday, after, before = forecast_days(
        office_id=office.pk,
        days=[datetime.date(2026, 12, 7), datetime.date(2026, 12, 8), datetime.date(2026, 12, 9)],
        today=TODAY,
    )
    assert holiday.info.closed and holiday.total == 0 and holiday.cells == {}
    assert after.info.after_closed and after.holiday_factor == pytest.approx(1.3)
    assert after.total == pytest.approx(130)
    # The day before Constitution Day: such days brought what they would have anyway.
    assert before.info.before_closed and before.total == pytest.approx(100)


def test_an_office_closure_closes_the_day_and_shifts_the_next(office, history):
    OfficeClosure.objects.create(office=office, day=datetime.date(2026, 12, 3), reason="Moving to the new building")
    closed, after = forecast_days(
        office_id=office.pk, days=[datetime.date(2026, 12, 3), datetime.date(2026, 12, 4)], today=TODAY
    )
    assert closed.info.closed == "Moving to the new building" and closed.total == 0
    assert after.info.after_closed and after.total == pytest.approx(130)


def test_it_refuses_a_past_day(office, history, english):
    with pytest.raises(ValidationError) as refused:
        forecast_days(office_id=office.pk, days=[TODAY - datetime.timedelta(days=1)], today=TODAY)
    assert "day" in refused.value.message_dict
    assert "has passed" in refused.value.message_dict["day"][0]


def test_it_says_what_history_is_missing_instead_of_inventing(office, english):
    calendar = office_calendar(office_id=office.pk, start=datetime.date(2026, 11, 16), end=datetime.date(2026, 11, 30))
    open_days = [info for info in calendar.values() if info.is_open]
    history_write(office, open_days)
    with pytest.raises(ValidationError) as refused:
        forecast_days(office_id=office.pk, days=[datetime.date(2026, 12, 2)], today=TODAY)
    message = refused.value.message_dict["office"][0]
    assert f"for {len(open_days)} working days" in message
    assert f"at least {MIN_DAYS}" in message and f"{MIN_DAYS - len(open_days)} more" in message


def test_no_office_history_at_all_is_said(office, english):
    with pytest.raises(ValidationError) as refused:
        forecast_days(office_id=office.pk, days=[datetime.date(2026, 12, 2)], today=TODAY)
    assert "no queue history" in refused.value.message_dict["office"][0]


def test_a_day_of_a_kind_never_recorded_gets_no_figures(office, english):
    """Only ordinary days recorded: the 15th is not guessed from them."""
    calendar = office_calendar(office_id=office.pk, start=TODAY - datetime.timedelta(weeks=16), end=TODAY)
    history_write(office, [i for i in calendar.values() if i.is_open and i.position == "ordinary" and i.day < TODAY])
    ordinary, fifteenth = forecast_days(
        office_id=office.pk, days=[datetime.date(2026, 12, 2), datetime.date(2026, 12, 15)], today=TODAY
    )
    assert ordinary.total == pytest.approx(100)
    assert fifteenth.missing and "the 15th" in fifteenth.missing
    assert fifteenth.total == 0 and fifteenth.cells == {}


def test_the_backtest_of_a_history_without_noise_has_no_error(office, history):
    result = backtest(office_id=office.pk, end=TODAY - datetime.timedelta(days=1), months=1)
    assert result.days
    assert result.day_mape == pytest.approx(0, abs=1e-9)
    assert result.hour_mape == pytest.approx(0, abs=1e-9)
    assert not math.isnan(result.hour_wape)


# The simulation.


def exponential_minutes(mean: float) -> list[int]:
    """A service-time histogram (whole minutes, as QueueSummary's) of an exponential distribution."""
    counts = [0]
    for b in range(1, HISTOGRAM_CAP + 1):
        counts.append(round(1_000_000 * (math.exp(-(b - 1) / mean) - math.exp(-b / mean))))
    return counts


def erlang_c(c: int, arrival_rate: float, service_rate: float) -> tuple[float, float]:
    """The M/M/c queue's chance of waiting and mean wait (in the rates' time unit)."""
    a = arrival_rate / service_rate
    top = a**c / math.factorial(c) * c / (c - a)
    chance = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return chance, chance / (c * service_rate - arrival_rate)


def test_the_simulation_reproduces_the_erlang_c_mean_wait_of_an_m_m_3_queue():
    """Three counters, Poisson arrivals at 14.4 an hour, exponential service of 10 minutes
    (load 0.8), all day and night: the textbook says 64.7% wait, 10.8 minutes on average."""
    chance, wait_hours = erlang_c(3, 14.4, 6.0)
    model = DayModel(
        counters=[CounterPlan(n, (1,), 0.0, 24 * HOUR) for n in (1, 2, 3)],
        services={1: ServiceModel(service_id=1, service_hist=exponential_minutes(10.0))},
    )
    result = simulate(model, rates={(1, hour): 14.4 for hour in range(24)}, replications=100, seed=1)
    day = result.day()
    called = sum(day.wait_hist)
    assert day.tickets / 100 == pytest.approx(14.4 * 24, rel=0.03)
    assert day.wait_seconds / called / 3600 == pytest.approx(wait_hours, rel=0.1)
    assert 1 - day.wait_hist[0] / called == pytest.approx(chance, abs=0.05)
    assert result.utilisation() == pytest.approx(0.8, abs=0.05)
    assert result.seconds < 10


def test_a_free_counter_calls_a_priority_ticket_before_an_earlier_regular_one():
    """One counter, service times of 9 to 10 minutes: regular R1 at 0 is served at once,
    regular R2 comes at 1 minute, priority P (another service of the counter) at 2 minutes,
    and is called before R2 when R1 is done."""
    nine = [0] * 10 + [1]
    model = DayModel(
        counters=[CounterPlan(1, (1, 2), 0.0, HOUR)],
        services={1: ServiceModel(service_id=1, service_hist=nine), 2: ServiceModel(service_id=2, service_hist=nine)},
    )
    arrivals = [(0.0, 1, 1), (60.0, 1, 1), (120.0, 2, 0)]
    result = simulate(model, arrivals=arrivals, replications=20)
    priority = result.figures(result.service(2))
    regular = result.service(1)
    assert 7 <= priority["wait_p50"] <= 8  # R1's 9-10 minutes less the 2 it came after
    assert regular.wait_hist[0] == 20  # R1, every replication
    assert all(17 <= b <= 19 for b, n in enumerate(regular.wait_hist) if n and b)  # R2 after R1 and P
    fcfs = simulate(model, arrivals=[(0.0, 1, 1), (60.0, 1, 1), (120.0, 2, 1)], replications=20)
    assert fcfs.figures(fcfs.service(2))["wait_p50"] >= 16  # without priority, P waits for R2 too


def test_a_service_no_counter_serves_is_reported_unserved():
    nine = [0] * 10 + [1]
    model = DayModel(
        counters=[CounterPlan(1, (1,), 0.0, HOUR)],
        services={1: ServiceModel(service_id=1, service_hist=nine), 2: ServiceModel(service_id=2, service_hist=nine)},
    )
    result = simulate(model, arrivals=[(0.0, 1, 1), (10.0, 2, 1), (20.0, 2, 1)], replications=5)
    assert result.figures(result.service(2))["unserved"] == 2
    assert result.figures(result.service(1))["unserved"] == 0


def test_the_replications_are_reproducible_with_a_seed():
    model = DayModel(
        counters=[CounterPlan(n, (1,), 8.5 * HOUR, 16.5 * HOUR) for n in (1, 2)],
        services={1: ServiceModel(service_id=1, service_hist=exponential_minutes(8.0), no_show=0.05, transfer=0.0)},
    )
    rates = {(1, hour): 10.0 for hour in range(8, 17)}
    one, two = (simulate(model, rates=rates, replications=10, seed=7) for _ in range(2))
    assert one.day().wait_hist == two.day().wait_hist
    assert one.day_p90 == two.day_p90


# The validation against recorded days.


@pytest.fixture
def demo_history(cast, offices):
    """The demo's realistic queue history of office 1001 (the demo's own generator)."""
    office = queue_office(offices["1001"], counters=6)
    assert demo_history_generate(days=42) > 0
    return office


def test_recorded_days_simulated_with_their_arrivals_come_close_to_what_was_measured(demo_history):
    days = recorded_days(office_id=demo_history.pk, before=timezone.localdate(), count=8)
    assert len(days) == 8
    result = validate(office_id=demo_history.pk, days=days, replications=60)
    first = result.days[0]
    record = recorded_day(office_id=demo_history.pk, day=first.day)
    assert (
        first.arrivals
        == len(record.arrivals)
        == (Ticket.objects.filter(office=demo_history, service_day=first.day, transferred_from__isnull=True).count())
    )
    assert first.counters == 6
    assert first.recorded_p90 is not None and first.simulated_p90 is not None
    pooled = result.pooled
    assert abs(pooled["within_error"]) < 0.1
    # A quiet week's p90 is a few minutes: 5 minutes off is not far off.
    assert abs(pooled["simulated_p90"] - pooled["recorded_p90"]) <= max(5, 0.5 * pooled["recorded_p90"])
    inside, of = result.inside
    assert of == 8 and inside >= 5


# The planner's page and its runs.


def _open_ordinary_day(office_id: int) -> datetime.date:
    """The first coming day the office is open that is neither near the 15th nor at the month's end."""
    today = timezone.localdate()
    calendar = office_calendar(office_id=office_id, start=today, end=today + datetime.timedelta(days=40))
    return next(d for d, info in sorted(calendar.items()) if d > today and info.is_open and info.position == "ordinary")


def test_a_run_for_a_past_day_is_refused_and_nothing_is_stored(cast, client_for, demo_history):
    client = client_for(cast["supervisor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(reverse("queueing:planner"), {"day": yesterday.isoformat(), "replications": 200})
    assert response.status_code == 200
    assert "has passed" in response.content.decode()
    assert not PlannerRun.objects.exists()


def test_a_run_is_worked_out_once_and_its_page_shows_the_forecast_simulation_and_check(
    cast, client_for, demo_history, django_capture_on_commit_callbacks
):
    day = _open_ordinary_day(demo_history.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        run = planner_run_request(office=demo_history, day=day, officer=cast["supervisor"], replications=50)
    assert len(callbacks) == 1  # the worker's task, once committed
    done = planner_run_execute(run_id=run.pk)
    assert done.status == PlannerRun.Status.DONE and done.progress == 100
    assert done.result["forecast"]["total"] > 0 and done.result["simulation"]["services"]
    assert done.result["validation"]["days"] > 0
    assert planner_run_execute(run_id=run.pk) is None  # done: left alone
    page = client_for(cast["supervisor"]).get(reverse("queueing:planner_run", args=[run.pk])).content.decode()
    for block in ("planner-expected", "planner-backtest", "planner-services", "planner-hours", "planner-validation"):
        assert f'data-testid="{block}"' in page
    assert 'data-chart="chart-services"' in page and "data-planner-pending" not in page
    assert "ชำระเงินสมทบ" in page and "วันปกติ" in page  # the names and words in the page's language
    week = done.result["forecast"]["week"]
    assert len(week) == 7 and week[0]["day"] == day.isoformat() and week[0]["total"] == done.result["forecast"]["total"]
    assert any("วันหยุดสุดสัปดาห์" in row["words"]["th"] for row in week)  # a weekend in any 7 days
    assert page.count("<tr>", page.index('data-testid="planner-week"')) >= 8
    english = client_for(cast["supervisor"])
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get(reverse("queueing:planner_run", args=[run.pk])).content.decode()
    assert "Contribution payment" in page and "an ordinary day" in page and "ชำระเงินสมทบ" not in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_supervisor_asks_for_a_run_and_a_real_worker_works_it_out(cast, client_for, offices, celery_worker_process):
    office = queue_office(offices["1001"], counters=6)
    demo_history_generate(days=42)
    client = client_for(cast["supervisor"])
    day = _open_ordinary_day(office.pk)
    response = client.post(reverse("queueing:planner"), {"day": day.isoformat(), "replications": 50})
    assert response.status_code == 302, response.content.decode()[:2000]
    run = PlannerRun.objects.get()
    assert response["Location"] == reverse("queueing:planner_run", args=[run.pk])
    deadline = time.monotonic() + 300  # the plan search too, on a machine shared by many runs
    while run.status in (PlannerRun.Status.PENDING, PlannerRun.Status.RUNNING) and time.monotonic() < deadline:
        time.sleep(0.5)
        run.refresh_from_db()
    assert run.status == PlannerRun.Status.DONE, run.error
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="planner-simulation"' in page
    listing = client.get(reverse("queueing:planner")).content.decode()
    assert reverse("queueing:planner_run", args=[run.pk]) in listing


def test_an_office_administrator_closes_a_day_of_their_office_in_the_admin_and_the_forecast_follows(
    cast, client_for, offices, office, history
):
    client = client_for(cast["admin"])
    response = client.post(
        "/admin/queueing/officeclosure/add/", {"day": "2026-12-03", "reason": "Moving to the new building"}
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    closure = OfficeClosure.objects.get()
    assert (closure.office, closure.day) == (office, datetime.date(2026, 12, 3))
    assert closure.history.get().history_user == cast["admin"]  # audited
    [closed] = forecast_days(office_id=office.pk, days=[closure.day], today=TODAY)
    assert closed.info.closed == "Moving to the new building" and closed.total == 0


def test_a_run_whose_history_is_gone_fails_and_says_so(cast, client_for, demo_history):
    day = _open_ordinary_day(demo_history.pk)
    run = planner_run_request(office=demo_history, day=day, officer=cast["supervisor"], replications=50)
    QueueSummary.objects.filter(office=demo_history).delete()
    failed = planner_run_execute(run_id=run.pk)
    assert failed.status == PlannerRun.Status.FAILED and failed.error  # the refusal, kept for whoever looks
    assert failed.result == {}
    assert planner_run_execute(run_id=run.pk) is None  # not run again
    page = client_for(cast["supervisor"]).get(reverse("queueing:planner_run", args=[run.pk])).content.decode()
    assert 'data-testid="planner-failed"' in page
