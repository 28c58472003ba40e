"""The report pages (`/reports/`, `/reports/national/`, `/reports/backoffice/`) and the CSV
and XLSX download of every table, each built from the sections the user may see."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from sso.core.exports import csv_response, xlsx_response
from sso.core.reporting import cells
from sso.core.reporting.evidence_views import months_offered
from sso.core.reporting.forms import ReportRangeForm, report_office
from sso.core.reports import BACKOFFICE, NATIONAL, OFFICE, section_get, sections_for
from sso.core.scoping import sees_all_offices

REPORTS_PERMISSION = "core.view_reports"
FOLD_ROWS = 40


@dataclass(frozen=True)
class Page:
    key: str  # in the URLs: office, national, backoffice
    slot: str
    title: str
    url_name: str
    national: bool = False  # every office: needs core.view_all_offices, no office picked


PAGES = {
    page.key: page
    for page in (
        Page("office", OFFICE, _("Office dashboard"), "core:reports_office"),
        Page("national", NATIONAL, _("Every office"), "core:reports_national", national=True),
        Page("backoffice", BACKOFFICE, _("Back office"), "core:reports_backoffice"),
    )
}


def _range(request, page: Page) -> ReportRangeForm:
    """The page's range form, bound to the query string (404 for an office outside the
    user's scope, 403 for the national page without every office's permission)."""
    if page.national and not sees_all_offices(request.user):
        raise PermissionDenied
    office = None if page.national else report_office(request.user, request.GET.get("office"))
    # Always bound: the first visit (no query) is the default preset's range.
    form = ReportRangeForm(request.GET, user=request.user, office=office, today=timezone.localdate())
    form.is_valid()
    return form


def _section_shown(page: Page, section, content, query: str) -> dict:
    """A section as the page shows it: its figures, then each table under its charts, with
    its downloads."""
    charts_of = {}
    for chart in content.charts:
        try:
            table = content.table(chart.table)
        except KeyError:
            continue
        charts_of.setdefault(table.key, []).append(
            {
                "key": chart.key,
                "title": chart.title,
                "script_id": f"chart-{section.key}-{chart.key}",
                "data": cells.chart_data(chart, table),
            }
        )
    tables = []
    for table in content.tables:
        kwargs = {"section": section.key, "table": table.key}
        export = f"core:reports_{page.key}_export"
        tables.append(
            {
                "key": table.key,
                "title": table.title,
                "columns": [
                    {"label": column.label, "num": column.kind in cells.NUMERIC_KINDS} for column in table.columns
                ],
                "rows": len(table.rows),
                "body": cells.body_html(cells.rows_shown(table)),
                "totals": cells.totals_shown(table),
                "charts": charts_of.get(table.key, []),
                # A long table under its chart (a heatmap's cells) starts folded.
                "folded": table.key in charts_of and len(table.rows) > FOLD_ROWS,
                "csv": f"{reverse(export, kwargs=kwargs | {'fmt': 'csv'})}?{query}",
                "xlsx": f"{reverse(export, kwargs=kwargs | {'fmt': 'xlsx'})}?{query}",
            }
        )
    figures = [
        {
            "key": figure.key,
            "label": figure.label,
            "text": cells.display(figure.value, figure.kind),
            "target": cells.display(figure.target, figure.kind) if figure.target is not None else None,
            "drill": figure.drill,
        }
        for figure in content.figures
    ]
    return {"key": section.key, "title": section.title, "figures": figures, "tables": tables}


@login_required
@permission_required(REPORTS_PERMISSION, raise_exception=True)
@require_safe
def report_page(request, page):
    page = PAGES[page]
    form = _range(request, page)
    sections = []
    if form.period is not None:
        period = form.period
        # The downloads' query: the range resolved (a preset's days written out), so a file
        # holds what the page showed even when it is asked after midnight.
        query = urlencode(
            [
                (key, value)
                for key, value in (
                    ("office", form.office.code if form.office else ""),
                    ("start", period.start.isoformat()),
                    ("end", period.end.isoformat()),
                    ("region", period.region),
                    ("province", period.province),
                )
                if value
            ]
        )
        for section in sections_for(page.slot, request.user):
            sections.append(_section_shown(page, section, section.build(period), query))
        form = form.shown()
    return render(
        request,
        "core/reports/page.html",
        {
            "page": page,
            "pages": [each for each in PAGES.values() if not each.national or sees_all_offices(request.user)],
            "form": form,
            "period": form.period,
            "office": form.office,
            "sections": sections,
            # The office dashboard's button: a past month's evidence report, generated and kept.
            "evidence_months": months_offered(timezone.localdate()) if page.key == "office" else (),
            "has_charts": any(table["charts"] for section in sections for table in section["tables"]),
        },
    )


@login_required
@permission_required(REPORTS_PERMISSION, raise_exception=True)
@require_safe
def report_export(request, page, section, table, fmt):
    """One table of one section as CSV (UTF-8 with BOM) or XLSX, for the page's range."""
    page = PAGES[page]
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = _range(request, page)
    found = section_get(page.slot, section, request.user)
    if found is None:
        raise Http404
    if form.period is None:
        return HttpResponseBadRequest(
            " ".join(str(error) for errors in form.errors.values() for error in errors),
            content_type="text/plain; charset=utf-8",
        )
    try:
        chosen = found.build(form.period).table(table)
    except KeyError:
        raise Http404 from None
    period = form.period
    where = form.office.code if form.office else (period.province or period.region or "all")
    name = f"{page.key}-{found.key}-{chosen.key}-{where}-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"
    rows = cells.file_rows(chosen)
    totals = cells.file_totals(chosen)
    if fmt == "csv":
        return csv_response(name, cells.file_header(chosen), rows + ([totals] if totals else []))
    formats, widths = cells.xlsx_layout(chosen)
    return xlsx_response(
        name,
        title=str(chosen.title),
        header=cells.file_header(chosen),
        rows=rows,
        number_formats=formats,
        totals=totals,
        widths=widths,
    )
