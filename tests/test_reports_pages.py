"""The report pages, their downloads and API, built from the sections the apps register: here
one test-only section per page (`sso.core.reports._all_sections` patched), so that these
tests hold whatever sections the apps add. Figures are the section's own: the tests check how
they are shown (B.E. dates in Thai, baht, percent, minutes), exported (numbers as numbers,
dates as dates, the totals row) and refused (nothing computed)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from sso.core import reports
from sso.core.formats import date_display
from sso.core.months import month_first
from sso.core.reports import Chart, Column, Content, Figure, Period, ReportSection, Table

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)  # 26 พ.ย. 2569


class Recorder:
    """A section's build: the periods it was asked for, and its content."""

    def __init__(self, rows=2):
        self.periods: list[Period] = []
        self.rows = rows

    def __call__(self, period: Period) -> Content:
        self.periods.append(period)
        rows = [
            {
                "service": "A ชำระเงินสมทบ",
                "day": DAY,
                "visits": 1234,
                "within": 0.875,
                "wait": 12.5,
                "amount": Decimal("1234.50"),
                "service_id": 7,  # not a column: for the drill-down only
            },
            {
                "service": '=HYPERLINK("http://x")',
                "day": DAY + datetime.timedelta(days=1),
                "visits": 6,
                "within": 0.5,
                "wait": None,
                "amount": Decimal("-5.25"),
            },
        ]
        rows += [
            {"service": f"S{n}", "day": DAY, "visits": n, "within": 1, "wait": 1.0, "amount": Decimal("1")}
            for n in range(self.rows - 2)
        ]
        table = Table(
            key="by_day",
            title="By day",
            columns=[
                Column("service", "Service"),
                Column("day", "Day", "date"),
                Column("visits", "Visits", "int"),
                Column("within", "Within target", "percent"),
                Column("wait", "Wait p90", "minutes"),
                Column("amount", "Amount", "money"),
            ],
            rows=rows,
            totals={"visits": 1240, "within": 0.874, "amount": Decimal("1229.25")},
            drill=lambda row: f"/queue/tickets/?day={row['day'].isoformat()}",
            links={"visits": lambda row: f"/queue/tickets/?day={row['day'].isoformat()}&visits=1"},
        )
        heat = Table(
            key="heat",
            title="Arrivals by hour",
            columns=[
                Column("dom", "Day of month", "int"),
                Column("hour", "Hour", "int"),
                Column("n", "Arrivals", "int"),
            ],
            rows=[{"dom": 15, "hour": 8, "n": 40}, {"dom": 16, "hour": 8, "n": 10}, {"dom": 15, "hour": 9, "n": 25}],
        )
        return Content(
            figures=[
                Figure("visits", "Visits", 1240, "int", drill="/queue/tickets/"),
                Figure("within", "Within target", 0.874, "percent", target=0.9),
                Figure("wait", "p90 wait", 41.25, "minutes", target=45),
            ],
            tables=[table, heat],
            charts=[
                Chart("within_by_day", "Within target per day", "line", "by_day", "day", ["within"], target=0.9),
                Chart("heat", "Arrivals", "heatmap", "heat", "dom", ["hour", "n"]),
            ],
        )


@pytest.fixture
def section(monkeypatch):
    """One test section on each page, built by one Recorder."""
    build = Recorder()
    sections = tuple(
        ReportSection(slot=slot, key="test", title="Test measures", build=build, permission="core.view_reports")
        for slot in reports.SLOTS
    )
    monkeypatch.setattr(reports, "_all_sections", lambda: sections)
    return build


@pytest.fixture
def no_sections(monkeypatch):
    monkeypatch.setattr(reports, "_all_sections", lambda: ())


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


# --- The range ---------------------------------------------------------------------------------


def _today():
    return timezone.localdate()


REFUSALS = [
    # (query, field, English, Thai)
    (
        lambda t: {"start": "10/11/2026", "end": "09/11/2026"},
        "end",
        "The end (9 Nov 2026) is before the start (10 Nov 2026).",
        "วันสิ้นสุด (9 พ.ย. 2569) อยู่ก่อนวันเริ่มต้น (10 พ.ย. 2569)",
    ),
    (
        lambda t: {"start": "01/01/2020", "end": "01/01/2022"},
        "end",
        "A report covers at most two years: from 1 Jan 2020, the last day can be 31 Dec 2021.",
        "รายงานครอบคลุมได้ไม่เกินสองปี: เมื่อเริ่มวันที่ 1 ม.ค. 2563 วันสุดท้ายได้ไม่เกิน 31 ธ.ค. 2564",
    ),
]


@pytest.mark.parametrize("query, field, english, thai", REFUSALS)
def test_a_refused_range_says_why_in_each_language_and_computes_nothing(
    client_for, cast, section, query, field, english, thai
):
    client = client_for(cast["supervisor"])
    body = client.get("/reports/", {"preset": "custom", **query(_today())}).content.decode()
    assert thai in body
    assert 'data-testid="range-error"' in body
    body = _english(client).get("/reports/", {"preset": "custom", **query(_today())}).content.decode()
    assert english in body
    assert section.periods == []


def test_a_future_day_is_refused(client_for, cast, section):
    today = _today()
    tomorrow = today + datetime.timedelta(days=1)
    client = _english(client_for(cast["supervisor"]))
    answer = client.get("/reports/", {"start": today.strftime("%d/%m/%Y"), "end": tomorrow.strftime("%d/%m/%Y")})
    expected = (
        f"{date_display(tomorrow, 'en')} is in the future: a report covers days up to today"
        f" ({date_display(today, 'en')})."
    )
    assert expected in answer.content.decode()
    # A download of the same range is refused the same way, and nothing is computed.
    export = client.get("/reports/office/test/by_day.csv", {"start": today.isoformat(), "end": tomorrow.isoformat()})
    assert export.status_code == 400 and expected in export.content.decode()
    assert section.periods == []


def test_a_custom_range_needs_both_days(client_for, cast, section):
    body = _english(client_for(cast["supervisor"])).get("/reports/", {"preset": "custom", "start": "1/11/2026"})
    assert "Give the first and the last day of the custom range." in body.content.decode()
    assert section.periods == []


def test_the_presets_and_a_typed_range_give_the_period(client_for, cast, section):
    client = client_for(cast["supervisor"])
    today = _today()
    office = cast["supervisor"].office
    client.get("/reports/", {"preset": "today"})
    client.get("/reports/", {"preset": "week"})
    client.get("/reports/")  # this month, by default
    client.get("/reports/", {"preset": "last_month"})
    client.get("/reports/", {"start": "1/10/2569", "end": "31/10/2569"})  # B.E. typed: custom
    last_month_end = month_first(today) - datetime.timedelta(days=1)
    assert [(p.start, p.end) for p in section.periods] == [
        (today, today),
        (today - datetime.timedelta(days=today.weekday()), today),
        (month_first(today), today),
        (month_first(last_month_end), last_month_end),
        (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)),
    ]
    assert {(p.office_id, p.office_ids) for p in section.periods} == {(office.pk, (office.pk,))}


# --- Who sees what -----------------------------------------------------------------------------


def test_a_supervisor_sees_only_their_office(client_for, cast, offices, section):
    client = client_for(cast["supervisor"])
    assert client.get("/reports/", {"office": "5000"}).status_code == 404
    assert client.get("/reports/backoffice/", {"office": "5000"}).status_code == 404
    assert client.get("/reports/office/test/by_day.xlsx", {"office": "5000"}).status_code == 404
    assert client.get("/reports/national/").status_code == 403
    assert client.get("/reports/national/test/by_day.csv").status_code == 403
    assert client.get("/api/reports/office/", {"office": "5000"}).status_code == 404
    assert client.get("/api/reports/national/").status_code == 403
    assert client_for(cast["counter"]).get("/reports/").status_code == 403
    assert section.periods == []
    # Their own office: its select is fixed to it.
    body = client_for(cast["supervisor"]).get("/reports/").content.decode()
    assert 'name="office"' in body and "disabled" in body.split('name="office"')[1].split(">")[0]


def test_a_national_supervisor_picks_any_office_and_narrows_the_national_page(client_for, cast, offices, section):
    client = client_for(cast["national"])
    assert client.get("/reports/", {"office": "5000", "preset": "today"}).status_code == 200
    assert client.get("/reports/national/", {"preset": "today", "region": "north"}).status_code == 200
    assert client.get("/reports/national/", {"preset": "today", "province": "10"}).status_code == 200
    assert client.get("/reports/national/", {"preset": "today"}).status_code == 200
    assert reports.dashboard_url("5000", section.periods[0]) == (
        f"/reports/?office=5000&start={_today().isoformat()}&end={_today().isoformat()}"
    )
    assert [(p.office_id, p.region, p.province, p.office_ids) for p in section.periods] == [
        (offices["5000"].pk, "", "", (offices["5000"].pk,)),
        (None, "north", "", (offices["5000"].pk,)),  # Chiang Mai (50) is in the north
        (None, "", "10", (offices["1001"].pk,)),
        (None, "", "", None),
    ]


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_the_figures_charts_and_tables_formatted_in_thai(client_for, cast, section):
    body = client_for(cast["supervisor"]).get("/reports/", {"preset": "today"}).content.decode()
    assert "Test measures" in body
    # Figures: int, percent with its target, minutes; a drill-down link.
    assert '<a href="/queue/tickets/">1,240</a>' in body
    assert "87.4%" in body and "เป้าหมาย 90.0%" in body
    assert "41.2 นาที" in body or "41.3 นาที" in body
    # The table: B.E. dates, baht, percent, minutes, numbers right-aligned, drill-down, totals.
    assert (
        '<td class="num" data-sort="1234"><a href="/queue/tickets/?day=2026-11-26&amp;visits=1">1,234</a></td>' in body
    )
    assert '<td data-sort="2026-11-26">26 พ.ย. 2569</td>' in body
    assert "1,234.50 บาท" in body and "-5.25 บาท" in body
    assert '<td class="num" data-sort="0.875">87.5%</td>' in body
    assert '<td class="num" data-sort="12.5">12.5</td>' in body  # the column names its unit
    assert '<a href="/queue/tickets/?day=2026-11-26">A ชำระเงินสมทบ</a>' in body
    assert '<tr class="totals"><td>รวม</td><td></td><td class="num">1,240</td>' in body
    # The chart above its table, its data in a json_script element, the target as a percent.
    chart_at, table_at = body.index('data-chart="chart-test-within_by_day"'), body.index('data-table="by_day"')
    assert table_at < chart_at < body.index('<table class="report"', table_at)
    assert '<script id="chart-test-within_by_day" type="application/json">' in body
    assert '"target": 90.0' in body and '"data": [87.5, 50.0]' in body
    assert "vendor/echarts/echarts.min.js" in body and "js/reports.js" in body
    # Downloads with the range written out.
    today = _today().isoformat()
    assert f"/reports/office/test/by_day.xlsx?office=1001&amp;start={today}&amp;end={today}" in body


def test_the_page_in_english_shows_common_era_dates_and_thb(client_for, cast, section):
    body = _english(client_for(cast["supervisor"])).get("/reports/", {"preset": "today"}).content.decode()
    assert "26 Nov 2026" in body and "THB 1,234.50" in body and "41.2 min" in body
    assert '<tr class="totals"><td>Total</td>' in body


def test_a_page_without_sections_says_so(client_for, cast, no_sections):
    body = client_for(cast["supervisor"]).get("/reports/backoffice/").content.decode()
    assert 'data-testid="no-measures"' in body and "ยังไม่มีตัวชี้วัดในหน้านี้" in body
    assert "echarts" not in body


# --- Downloads ---------------------------------------------------------------------------------

QUERY = {"start": "2026-11-01", "end": "2026-11-30"}


def test_the_csv_holds_exactly_the_rows_and_the_totals(client_for, cast, section):
    answer = client_for(cast["supervisor"]).get("/reports/office/test/by_day.csv", QUERY)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="office-test-by_day-1001-2026-11-01-2026-11-30.csv"' in answer["Content-Disposition"]
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [
        ["Service", "Day", "Visits", "Within target", "Wait p90", "Amount"],
        ["A ชำระเงินสมทบ", "2026-11-26", "1234", "0.875", "12.5", "1234.50"],
        ['\'=HYPERLINK("http://x")', "2026-11-27", "6", "0.5", "", "-5.25"],
        ["รวม", "", "1240", "0.874", "", "1229.25"],
    ]
    assert section.periods == [
        Period(
            office_id=cast["supervisor"].office_id,
            start=DAY.replace(day=1),
            end=DAY.replace(day=30),
            office_ids=(cast["supervisor"].office_id,),
        )
    ]


def test_the_xlsx_has_numbers_dates_totals_and_widths(client_for, cast, section):
    answer = client_for(cast["supervisor"]).get("/reports/office/test/by_day.xlsx", QUERY)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        ("Service", "Day", "Visits", "Within target", "Wait p90", "Amount"),
        ("A ชำระเงินสมทบ", datetime.datetime(2026, 11, 26), 1234, 0.875, 12.5, 1234.5),
        ('\'=HYPERLINK("http://x")', datetime.datetime(2026, 11, 27), 6, 0.5, None, -5.25),
        ("รวม", None, 1240, 0.874, None, 1229.25),
    ]
    assert sheet["B2"].is_date and sheet["B2"].number_format == "dd/mm/yyyy"
    assert sheet["C2"].data_type == "n" and sheet["D2"].number_format == "0.0%"
    assert sheet["F2"].number_format == "#,##0.00"
    assert sheet["A3"].data_type == "s"  # the formula is text
    assert sheet["A4"].font.bold and sheet["C4"].font.bold
    assert sheet.column_dimensions["A"].width >= 24 and sheet.column_dimensions["F"].width == 18


def test_an_unknown_table_section_or_format_is_not_found(client_for, cast, section):
    client = client_for(cast["supervisor"])
    assert client.get("/reports/office/test/nothing.csv").status_code == 404
    assert client.get("/reports/office/nothing/by_day.csv").status_code == 404
    assert client.get("/reports/office/test/by_day.pdf").status_code == 404
    assert client.post("/reports/").status_code == 405  # the pages only read
    assert client.post("/reports/office/test/by_day.csv").status_code == 405


# --- The API -----------------------------------------------------------------------------------


def test_the_api_answers_the_figures_and_tables(client_for, cast, section):
    answer = client_for(cast["supervisor"]).get("/api/reports/office/", QUERY)
    assert answer.status_code == 200
    body = answer.json()
    assert body["period"] == {
        "office": "1001",
        "start": "2026-11-01",
        "end": "2026-11-30",
        "region": "",
        "province": "",
    }
    [shown] = body["sections"]
    assert shown["key"] == "test" and shown["title"] == "Test measures"
    assert shown["figures"][1] == {
        "key": "within", "label": "Within target", "value": 0.874, "kind": "percent", "target": 0.9, "drill": None
    }  # fmt: skip
    table = shown["tables"][0]
    assert table["columns"][1] == {"key": "day", "label": "Day", "kind": "date"}
    assert table["rows"][0] == {
        "service": "A ชำระเงินสมทบ", "day": "2026-11-26", "visits": 1234, "within": 0.875, "wait": 12.5, "amount": 1234.5
    }  # fmt: skip
    assert table["totals"] == {"visits": 1240, "within": 0.874, "amount": 1229.25}
    assert [t["key"] for t in shown["tables"]] == ["by_day", "heat"]
    assert "service_id" not in table["rows"][0]


def test_the_api_refuses_a_range_in_thai_and_english(client_for, cast, section):
    answer = client_for(cast["supervisor"]).get("/api/reports/office/", {"start": "2026-11-10", "end": "2026-11-09"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["field"] == "end"
    assert body["detail_en"] == "The end (9 Nov 2026) is before the start (10 Nov 2026)."
    assert body["detail_th"] == "วันสิ้นสุด (9 พ.ย. 2569) อยู่ก่อนวันเริ่มต้น (10 พ.ย. 2569)"
    assert section.periods == []


# --- Queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/reports/", "/reports/national/", "/api/reports/office/"])
def test_the_pages_queries_do_not_grow_with_the_rows(client_for, cast, monkeypatch, url):
    counts = []
    for rows in (2, 20):
        build = Recorder(rows=rows)
        sections = tuple(
            ReportSection(slot=slot, key="test", title="T", build=build, permission="core.view_reports")
            for slot in reports.SLOTS
        )
        monkeypatch.setattr(reports, "_all_sections", lambda sections=sections: sections)
        client = client_for(cast["national"])
        client.get(url, {"preset": "today"})  # warm the caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"preset": "today"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts


# --- The apps' own sections --------------------------------------------------------------------


@pytest.mark.parametrize(
    "page, slot", [("office", reports.OFFICE), ("national", reports.NATIONAL), ("backoffice", reports.BACKOFFICE)]
)
def test_every_registered_section_shows_and_exports_its_tables(client_for, cast, page, slot):
    """The sections the apps register (none patched): each page shows, and each table of each
    section downloads as CSV and XLSX with as many rows as the section built (empty data: the
    shapes are the question, the apps' own tests check their figures)."""
    client = client_for(cast["national"])
    url = "/reports/" if page == "office" else f"/reports/{page}/"
    assert client.get(url, {"preset": "today"}).status_code == 200
    period = Period(
        office_id=None if page == "national" else cast["national"].office_id,
        start=_today(),
        end=_today(),
        office_ids=None if page == "national" else (cast["national"].office_id,),
    )
    for section in reports.sections_for(slot, cast["national"]):
        content = section.build(period)
        for chart in content.charts:
            content.table(chart.table)  # every chart names a table of its section
        for table in content.tables:
            base = f"/reports/{page}/{section.key}/{table.key}"
            answer = client.get(f"{base}.csv", {"preset": "today"})
            assert answer.status_code == 200, (section.key, table.key)
            lines = answer.content.decode("utf-8-sig").splitlines()
            assert len(lines) == 1 + len(table.rows) + (table.totals is not None)
            answer = client.get(f"{base}.xlsx", {"preset": "today"})
            assert answer.status_code == 200, (section.key, table.key)
            sheet = load_workbook(io.BytesIO(answer.content)).active
            assert sheet.max_row == 1 + len(table.rows) + (table.totals is not None)
    assert client.get(f"/api/reports/{page}/", {"preset": "today"}).status_code == 200


def test_a_label_in_a_numbers_column_reads_as_text():
    """A section's totals row may name itself in its first column, whatever that column's kind."""
    from sso.core.reporting import cells

    table = Table(
        "t", "T", [Column("hour", "Hour", "int"), Column("n", "n", "int")], [], totals={"hour": "Total", "n": 3}
    )
    assert [cell["text"] for cell in cells.totals_shown(table)] == ["Total", "3"]
    assert cells.file_totals(table) == ["Total", 3]


def test_a_period_resolves_the_offices_every_section_reads(offices):
    """One office's page reads that office; the national page a region's or a province's
    offices, or every office; the sections all read `Period.offices()`."""
    day = datetime.date(2026, 11, 2)
    bangkok, chiang_mai = offices["1001"].pk, offices["5000"].pk
    assert Period(office_id=bangkok, start=day, end=day).offices() == [bangkok]
    assert Period(office_id=None, start=day, end=day, region="north").offices() == [chiang_mai]
    assert Period(office_id=None, start=day, end=day, province="50").offices() == [chiang_mai]
    assert Period(office_id=None, start=day, end=day).offices() is None
