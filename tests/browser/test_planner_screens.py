"""The queue planner in the browser (issue 19): a supervisor asks for a coming day's run, a
real worker works it out while the page shows its progress, and the page then shows the
forecast, the simulated day and its check against recorded days, with the charts drawn (under
the content security policy, which the harness watches)."""

import datetime

import pytest
from django.utils import timezone

from queueing.demo import demo_history_generate
from queueing.models import ServiceTarget
from queueing.planning.calendar import office_calendar
from tests.factories import queue_office

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_forecasts_a_coming_day_and_sees_it_simulated(
    live_server, signed_in, cast, offices, celery_worker_process, screenshot
):
    office = queue_office(offices["1001"], counters=6)
    # The announced targets (a transactional test before may have emptied the migration's rows).
    for kind, minutes in (("contribution", 45), ("registration", 30), ("sickness", 45), ("enquiry", 15)):
        ServiceTarget.objects.get_or_create(
            kind=kind, valid_from=datetime.date(2020, 1, 1), defaults={"minutes": minutes}
        )
    demo_history_generate(days=42)
    today = timezone.localdate()
    calendar = office_calendar(office_id=office.pk, start=today, end=today + datetime.timedelta(days=40))
    day = next(d for d, i in sorted(calendar.items()) if d > today and i.is_open and i.position == "ordinary")

    page = signed_in("supervisor", language="en")
    page.goto(f"{live_server.url}/queue/planner/")
    page.fill("#id_day", day.strftime("%d/%m/") + str(day.year + 543))
    page.select_option("#id_replications", "50")
    with page.expect_navigation():
        page.click("[data-testid=planner-run]")
    # The page reloads itself while the worker is on it, then shows the figures.
    page.wait_for_selector("[data-testid=planner-simulation]", timeout=120_000)
    assert "Expected arrivals:" in page.inner_text("[data-testid=planner-expected]")
    assert page.locator("[data-testid=planner-services] tbody tr").count() >= 5
    page.wait_for_selector("[data-chart='chart-services'][data-rendered=true] canvas")
    page.wait_for_selector("[data-chart='chart-backtest'][data-rendered=true] canvas")
    page.wait_for_selector("[data-chart='chart-within'][data-rendered=true] canvas")
    assert page.locator("[data-testid=planner-week] tbody tr").count() == 7
    page.wait_for_selector("[data-testid=planner-validation]")
    screenshot(page, "queue-planner-run")

    # The office's runs, listed with a link to this one.
    page.click("text=All runs")
    assert page.locator("[data-testid=planner-runs] tbody tr").count() == 1

    # A past day is refused on the form, and nothing is asked of the worker.
    yesterday = today - datetime.timedelta(days=1)
    page.fill("#id_day", yesterday.strftime("%d/%m/") + str(yesterday.year + 543))
    with page.expect_navigation():
        page.click("[data-testid=planner-run]")
    assert "has passed" in page.inner_text("[data-testid=planner-form]")
    assert page.locator("[data-testid=planner-runs] tbody tr").count() == 1
