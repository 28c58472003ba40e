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


def test_a_supervisor_plans_the_next_15th_closes_a_counter_restores_it_and_prints_the_roster(
    live_server, signed_in, cast, offices, celery_worker_process, screenshot
):
    """The issue's walk: the next 15th forecast, the recommended plan, one counter closed in
    the rush and the day simulated again (a service misses its standard), the counter put
    back (every standard met again), and the roster printed (PDF) and exported (XLSX)."""
    from queueing.models import PlannerRun, Service
    from queueing.planning.views import next_fifteenth

    office = queue_office(offices["1001"], counters=6)
    for kind, minutes in (("contribution", 45), ("registration", 30), ("sickness", 45), ("enquiry", 15)):
        ServiceTarget.objects.get_or_create(
            kind=kind, valid_from=datetime.date(2020, 1, 1), defaults={"minutes": minutes}
        )
    demo_history_generate(days=90)  # past 15ths open, to forecast the next one from
    contribution = Service.objects.get(office=office, kind="contribution")

    page = signed_in("supervisor", language="en")
    page.goto(f"{live_server.url}/queue/planner/")
    fifteenth = next_fifteenth(timezone.localdate())
    page.fill("#id_day", fifteenth.strftime("%d/%m/") + str(fifteenth.year + 543))
    page.select_option("#id_replications", "50")
    page.fill("#id_spare_desks", "12")
    with page.expect_navigation():
        page.click("[data-testid=planner-run]")
    page.wait_for_selector("[data-testid=planner-plan]", timeout=300_000)
    assert page.locator("[data-testid=planner-plan-meets]").count() == 1
    assert page.locator("[data-testid=planner-roster] tbody tr").count() >= 3
    page.wait_for_selector("[data-chart='chart-plan-counters'][data-rendered=true] canvas")
    screenshot(page, "queue-planner-plan")
    run = PlannerRun.objects.get()

    # Close the counter serving contribution payments for the longest through the rush.
    shifts = run.result["plan"]["shifts"]
    rush = [
        (n, s)
        for n, s in enumerate(shifts)
        if contribution.pk in s["services"] and s["opens"] <= 10 * 3600 < s["closes"]
    ]
    index, closed = max(rush, key=lambda item: item[1]["closes"] - item[1]["opens"])
    page.check(f"[name='shift-{index}-DELETE']")
    with page.expect_navigation():
        page.click("[data-testid=planner-plan-simulate]")
    page.wait_for_selector("[data-testid=planner-plan]", timeout=120_000)
    missed = page.inner_text("[data-testid=planner-plan-missed]")
    assert "The standard is missed for:" in missed
    assert page.locator("tr[data-service-meets=no]").count() >= 1
    screenshot(page, "queue-planner-counter-closed")

    # Put the counter back: the extra row, with its number, services and hours.
    extra = len(shifts) - 1  # the edited plan lists one shift fewer, then an empty row
    page.fill(f"[name='shift-{extra}-number']", str(closed["number"]))
    for service_id in closed["services"]:
        page.check(f"[name='shift-{extra}-services'][value='{service_id}']")
    clock = lambda seconds: f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"  # noqa: E731
    page.fill(f"[name='shift-{extra}-opens']", clock(closed["opens"]))
    page.fill(f"[name='shift-{extra}-closes']", clock(closed["closes"]))
    with page.expect_navigation():
        page.click("[data-testid=planner-plan-simulate]")
    page.wait_for_selector("[data-testid=planner-plan-meets]", timeout=120_000)

    # The roster, printed and exported.
    pdf = page.request.get(live_server.url + page.get_attribute("[data-testid=planner-roster-pdf]", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"
    xlsx = page.request.get(live_server.url + page.get_attribute("[data-testid=planner-roster-xlsx]", "href"))
    assert xlsx.status == 200 and xlsx.body()[:2] == b"PK"
