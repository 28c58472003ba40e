"""A supervisor's report dashboard in the browser: the charts draw (under the content security
policy, which the harness watches), the range changes from the keyboard, and the XLSX of a
table downloads with the rows of the range shown. The section is the test-only one of
tests/test_reports_pages.py, so the screen does not depend on the apps' measures."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from sso.core import reports
from sso.core.reports import ReportSection
from tests.test_queue_reports import morning  # noqa: F401 - the records of the national test
from tests.test_reports_pages import Recorder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def section(monkeypatch):
    build = Recorder()
    sections = tuple(
        ReportSection(slot=slot, key="test", title="Test measures", build=build, permission="core.view_reports")
        for slot in reports.SLOTS
    )
    monkeypatch.setattr(reports, "_all_sections", lambda: sections)
    return build


def test_a_supervisor_opens_the_dashboard_changes_the_range_and_downloads_the_xlsx(
    live_server, signed_in, cast, section, screenshot
):
    page = signed_in("supervisor")
    page.goto(f"{live_server.url}/reports/")
    # The charts draw on their canvases, each above its table.
    page.wait_for_selector("[data-chart='chart-test-within_by_day'][data-rendered=true] canvas")
    page.wait_for_selector("[data-chart='chart-test-heat'][data-rendered=true] canvas")
    assert page.locator("[data-table=by_day] table.report tbody tr").count() == 2
    screenshot(page, "reports-office-dashboard")

    # The range, typed: the first day, Tab, the last day, Enter (the preset turns custom).
    page.click("#id_start")
    page.keyboard.press("Control+A")
    page.keyboard.type("1/11/2569")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("30/11/2569")
    assert page.input_value("#id_preset") == "custom"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.inner_text("[data-testid=report-days]") == "1 พ.ย. 2569 – 30 พ.ย. 2569"
    page.wait_for_selector("[data-chart='chart-test-within_by_day'][data-rendered=true] canvas")
    last = section.periods[-1]
    assert (last.start, last.end) == (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))

    # A table sorts by a click on its header: the visits, highest first on the second click.
    page.click("[data-table=by_day] th:nth-child(3) button")
    page.click("[data-table=by_day] th:nth-child(3) button")
    assert page.locator("[data-table=by_day] tbody tr td:nth-child(3)").all_inner_texts() == ["1,234", "6"]

    # The XLSX of the range shown.
    with page.expect_download() as download:
        page.click("[data-testid=xlsx-test-by_day]")
    file = download.value
    assert file.suggested_filename == "office-test-by_day-1001-2026-11-01-2026-11-30.xlsx"
    sheet = load_workbook(io.BytesIO(open(file.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("A ชำระเงินสมทบ", datetime.datetime(2026, 11, 26), 1234)
    assert rows[-1][:3] == ("รวม", None, 1240)
    screenshot(page, "reports-office-range")

    # Printed: the range form, the downloads and the menus are left out; the charts and tables stay.
    page.emulate_media(media="print")
    assert not page.locator("[data-report-range]").is_visible()
    assert not page.locator(".downloads").first.is_visible()
    assert page.locator("[data-chart] canvas").first.is_visible()
    assert page.locator("[data-table=by_day] table.report").is_visible()


def test_the_report_pages_on_the_demo_data_draw_every_chart(live_server, signed_in, demo, screenshot):
    """The apps' own sections on the demo's history: every chart of each page draws (under the
    content security policy) above its table, and the national page narrows to a region."""
    from tests.browser.harness import DEMO_TAB

    supervisor = signed_in("bkk1.supervisor", **DEMO_TAB)
    for path, name in (("/reports/", "reports-demo-office"), ("/reports/backoffice/", "reports-demo-backoffice")):
        supervisor.goto(f"{live_server.url}{path}?preset=last_month")
        assert supervisor.locator("section.report-section").count() > 0, supervisor.inner_text("body")[:300]
        charts = supervisor.locator("[data-chart]")
        assert charts.count() > 0
        supervisor.wait_for_function(
            "() => [...document.querySelectorAll('[data-chart]')].every((c) => c.dataset.rendered === 'true')"
        )
        assert supervisor.locator("[data-chart] canvas").count() == charts.count()
        assert supervisor.locator("[data-testid=no-measures]").count() == 0
        screenshot(supervisor, name)

    national = signed_in("bkk1.national", **DEMO_TAB)
    national.goto(f"{live_server.url}/reports/national/?preset=last_month")
    national.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every((c) => c.dataset.rendered === 'true')"
    )
    assert national.locator("[data-chart] canvas").count() > 0
    every = national.locator("section.report-section table.report tbody tr").count()
    national.select_option("#id_region", "north")
    with national.expect_navigation():
        national.click("[data-testid=range-show]")
    assert "region=north" in national.url
    assert national.locator("section.report-section table.report tbody tr").count() < every
    screenshot(national, "reports-demo-national")


def test_a_national_supervisor_compares_the_offices_and_opens_one(
    live_server,
    signed_in,
    offices,
    morning,  # noqa: F811 - the fixture imported above
    screenshot,
):
    """The national page of a month puts the offices side by side; sorted by visits, highest
    first, Bangkok (4 visits) comes before Chiang Mai (1); a click on Chiang Mai's code opens
    its dashboard for the same month. The records are tests/test_queue_reports.py's morning
    (16 Nov 2026) and one visit at Chiang Mai the same day."""
    from queueing import services
    from queueing.models import Counter
    from tests.factories import StaffFactory, queue_office
    from tests.test_queue_reports import DAY, at

    chiang_mai = queue_office(offices["5000"], counters=1)
    counter = Counter.objects.get(office=chiang_mai, number=1)
    officer = StaffFactory(username="cm_counter", office=chiang_mai, roles=["counter_officer"])
    services.counter_sign_in(counter=counter, officer=officer)
    contribution = chiang_mai.services.get(kind="contribution")
    services.ticket_issue(service=contribution, customer_kind="employer", now=at(8, 30))
    services.ticket_call_next(counter_id=counter.pk, officer=officer, now=at(9, 30))
    services.ticket_start(counter=counter, officer=officer, now=at(9, 30))
    services.ticket_finish(counter=counter, officer=officer, outcome="completed", now=at(9, 40))
    services.queue_summary_roll(day=DAY)

    page = signed_in("national")
    page.goto(f"{live_server.url}/reports/national/?preset=custom&start=2026-11-01&end=2026-11-30")
    assert page.inner_text("[data-testid=report-days]") == "1 พ.ย. 2569 – 30 พ.ย. 2569"
    offices_table = "[data-table=offices] table.report"
    # Visits are the fourth column (office, name, province, visits): the second click sorts highest first.
    page.click(f"{offices_table} th:nth-child(4) button")
    page.click(f"{offices_table} th:nth-child(4) button")
    codes = page.locator(f"{offices_table} tbody tr td:nth-child(1)").all_inner_texts()
    visits = page.locator(f"{offices_table} tbody tr td:nth-child(4)").all_inner_texts()
    assert list(zip(codes, visits, strict=True)) == [("1001", "4"), ("5000", "1")]
    screenshot(page, "reports-national-sorted")

    with page.expect_navigation():
        page.click(f"{offices_table} tbody tr:nth-child(2) td:nth-child(1) a")
    assert page.url.startswith(f"{live_server.url}/reports/?")
    assert "5000" in page.inner_text("[data-testid=report-title]")
    assert page.inner_text("[data-testid=report-days]") == "1 พ.ย. 2569 – 30 พ.ย. 2569"
    assert page.input_value("#id_office") == "5000"
    screenshot(page, "reports-national-office")
