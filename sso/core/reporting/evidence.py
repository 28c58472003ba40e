"""The monthly evidence report: what an office keeps as evidence of its service times for the
central office and the inspectors-general, as a PDF (WeasyPrint, Thai, B.E. dates).

It is built from the sections the apps register (`sso.core.reports`), so each app's measures
stay its own: every section of the office's dashboard (its figures, each bar or line chart
drawn as SVG above its table, every table), the back office's headline figures, the month's
worst days with their causes, and the signature lines of the office head and the inspector.
The national edition (office None) prints the national page's sections: every office side by
side. Kept editions are never changed: generating a month again adds a version.
"""

import datetime
import hashlib

from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sso.core.formats import BE_OFFSET, date_display, datetime_display
from sso.core.models import EvidenceReport, Office
from sso.core.months import month_add, month_first
from sso.core.records import refuse, stamp
from sso.core.reporting import cells
from sso.core.reporting.svg import chart_svg
from sso.core.reports import BACKOFFICE, NATIONAL, OFFICE, Content, Period, sections_of

TH_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
WORST_DAYS = 3
# A table this long prints only when it has a chart drawn here (a heatmap's cells do not).
LONG_TABLE = 40
# The queue's sections (queueing/reports.py) the worst days are read from: its days, and on
# each worst day the counters and officers that served.
DAYS_SECTION, DAYS_TABLE = "queue_days", "days"
COUNTERS_SECTION, COUNTERS_TABLE, OFFICERS_TABLE = "queue_counters", "counters", "officers"

NOT_PAST = _("The evidence report covers a month that has ended: %(month)s has not.")


def month_text(month: datetime.date, language: str = "th") -> str:
    """ธันวาคม 2569 in Thai (B.E.), December 2026 in English."""
    if language.startswith("en"):
        return month.strftime("%B %Y")
    return f"{TH_MONTHS[month.month - 1]} {month.year + BE_OFFSET}"


def month_check(month: datetime.date, today: datetime.date) -> datetime.date:
    """The month's first day; refuses the current month and any later one."""
    month = month_first(month)
    if month >= month_first(today):
        refuse("month", NOT_PAST % {"month": month_text(month, translation.get_language() or "th")}, "not_past")
    return month


def month_period(office: Office | None, month: datetime.date) -> Period:
    end = month_add(month, 1) - datetime.timedelta(days=1)
    if office is None:
        return Period(office_id=None, start=month, end=end)
    return Period(office_id=office.pk, start=month, end=end, office_ids=(office.pk,))


# --- What is printed ------------------------------------------------------------------------


def _figures_printed(content: Content) -> list[dict]:
    return [
        {
            "label": figure.label,
            "text": cells.display(figure.value, figure.kind),
            "target": cells.display(figure.target, figure.kind) if figure.target is not None else "",
        }
        for figure in content.figures
    ]


def _section_printed(section, content: Content) -> dict:
    """A section as printed: its figures, and each table under its charts (SVG). A long table
    without a chart drawn here (a heatmap's cells) is left to the dashboard."""
    tables, left_out = [], []
    for table in content.tables:
        charts = [
            {"title": chart.title, "svg": chart_svg(cells.chart_data(chart, table))}
            for chart in content.charts
            if chart.table == table.key
        ]
        charts = [chart for chart in charts if chart["svg"]]
        if len(table.rows) > LONG_TABLE and not charts:
            left_out.append(table.title)
            continue
        tables.append(
            {
                "title": table.title,
                "columns": [{"label": c.label, "num": c.kind in cells.NUMERIC_KINDS} for c in table.columns],
                "rows": [[cell for cell in row["cells"]] for row in cells.rows_shown(table)],
                "totals": cells.totals_shown(table),
                "charts": charts,
            }
        )
    return {"title": section.title, "figures": _figures_printed(content), "tables": tables, "left_out": left_out}


def _day_causes(period: Period, day: datetime.date) -> tuple[int, int] | None:
    """(counters that served, officers who served) on `day`, from the queue's section."""
    section = next((s for s in sections_of(OFFICE) if s.key == COUNTERS_SECTION), None)
    if section is None:
        return None
    one_day = Period(office_id=period.office_id, start=day, end=day, office_ids=period.office_ids)
    content = section.build(one_day)
    return len(content.table(COUNTERS_TABLE).rows), len(content.table(OFFICERS_TABLE).rows)


def worst_days(period: Period, days: Content | None) -> dict:
    """The month's days with the lowest share of visits within target (then the longest p90),
    with their causes: arrivals against the month's average day, counters open and officers
    serving that day."""
    if days is None:
        return {}
    rows = [row for row in days.table(DAYS_TABLE).rows if row.get("visits")]
    if not rows:
        return {}
    average = sum(row["arrivals"] for row in rows) / len(rows)
    worst = sorted(rows, key=lambda row: (row["within_target"] or 0, -(row["visit_p90"] or 0), row["day"]))
    printed = []
    for row in worst[:WORST_DAYS]:
        causes = _day_causes(period, row["day"])
        printed.append(
            {
                "day": date_display(row["day"]),
                "within_target": cells.display(row["within_target"], "percent"),
                "visit_p90": cells.display(row["visit_p90"], "minutes"),
                "arrivals": row["arrivals"],
                "over_average": f"{row['arrivals'] / average - 1:+.1%}" if average else "",
                "counters": causes[0] if causes else "",
                "officers": causes[1] if causes else "",
            }
        )
    return {"rows": printed, "average": f"{average:,.1f}"}


def evidence_context(*, office: Office | None, month: datetime.date) -> dict:
    """What the PDF prints (in the active language)."""
    period = month_period(office, month)
    sections, headlines, days = [], [], None
    for section in sections_of(NATIONAL if office is None else OFFICE):
        content = section.build(period)
        if section.key == DAYS_SECTION:
            days = content
        if content.figures or content.tables:
            sections.append(_section_printed(section, content))
    if office is not None:
        for section in sections_of(BACKOFFICE):
            figures = _figures_printed(section.build(period))
            if figures:
                headlines.append({"title": section.title, "figures": figures})
    return {
        "office": office,
        "month": month_text(month, translation.get_language() or "th"),
        "start": date_display(period.start),
        "end": date_display(period.end),
        "sections": sections,
        "headlines": headlines,
        "worst": worst_days(period, days) if office is not None else {},
    }


def evidence_pdf(*, office: Office | None, month: datetime.date, generated_at, generated_by, version: int) -> bytes:
    from weasyprint import HTML

    with translation.override("th"):
        context = evidence_context(office=office, month=month) | {
            "generated_at": datetime_display(generated_at),
            "generated_by": (generated_by.get_full_name() or generated_by.username) if generated_by else "",
            "version": version,
        }
        html = render_to_string("core/reports/evidence_pdf.html", context)
    return HTML(string=html).write_pdf()


# --- Services -------------------------------------------------------------------------------


def evidence_generate(*, office: Office | None, month: datetime.date, officer=None, today=None) -> EvidenceReport:
    """Generate and keep the month's evidence report of `office` (None: the national edition)
    as its next version; the earlier versions stay. Refuses a month not yet ended."""
    month = month_check(month, today or timezone.localdate())
    now = timezone.now()
    with transaction.atomic():
        # One generation at a time per office: versions are numbered without gaps or clashes.
        if office is not None:
            Office.objects.select_for_update().filter(pk=office.pk).first()
        latest = EvidenceReport.objects.filter(office=office, month=month).aggregate(v=Max("version"))["v"]
        version = (latest or 0) + 1
        pdf = evidence_pdf(office=office, month=month, generated_at=now, generated_by=officer, version=version)
        report = EvidenceReport(
            office=office,
            month=month,
            version=version,
            generated_at=now,
            generated_by=officer,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
        stamp(report, officer, "evidence report generated")
        report.save()
    return report


def evidence_monthly_run(*, today: datetime.date | None = None) -> int:
    """The beat's run on the 1st: last month's report for every active office and the national
    edition, each only if none is kept yet (a second run adds nothing). Returns how many."""
    today = today or timezone.localdate()
    month = month_add(month_first(today), -1)
    made = 0
    kept = set(EvidenceReport.objects.filter(month=month).values_list("office_id", flat=True))
    for office in [*Office.objects.filter(is_active=True).order_by("code"), None]:
        if (office.pk if office else None) in kept:
            continue
        evidence_generate(office=office, month=month, today=today)
        made += 1
    return made
