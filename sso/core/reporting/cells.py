"""How a report's value reads, by its column's kind (text, int, decimal, percent, minutes,
date, money): on screen (in the user's language: B.E. dates in Thai, baht), in a CSV or XLSX
file (numbers as numbers, dates as dates) and in a chart's data (plain numbers)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sso.core.formats import date_display, money_display
from sso.core.reports import Chart, Table

NUMERIC_KINDS = ("int", "decimal", "percent", "minutes", "money")
TOTAL = _("Total")
TARGET = _("Target")

# XLSX number formats and column widths (characters) by kind.
XLSX_FORMATS = {
    "int": "#,##0",
    "decimal": "#,##0.00",
    "percent": "0.0%",
    "minutes": "#,##0.0",
    "money": "#,##0.00",
    "date": "dd/mm/yyyy",
}
XLSX_WIDTHS = {"int": 10, "decimal": 12, "percent": 10, "minutes": 10, "money": 16, "date": 12}


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _number(value) -> float | int:
    return value if isinstance(value, int) else float(value)


def display(value, kind: str, *, unit: bool = True) -> str:
    """A value as it reads on screen: 1,234; 87.5%; 12.3 min; 1,234.50 บาท; 7 ธ.ค. 2569.
    Without `unit`, minutes are the number alone (a table's column names its unit)."""
    if value is None or value == "":
        return "—"
    if kind in NUMERIC_KINDS and not _is_number(value):
        return str(value)  # a label in a number's column (a totals row's "Total")
    thai = not (get_language() or "th").startswith("en")
    if kind == "int":
        return f"{_number(value):,.0f}"
    if kind == "decimal":
        return f"{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    if kind == "percent":
        return f"{_number(value) * 100:.1f}%"
    if kind == "minutes":
        return f"{_number(value):,.1f} {'นาที' if thai else 'min'}" if unit else f"{_number(value):,.1f}"
    if kind == "money":
        return money_display(value)
    if kind == "date" and isinstance(value, datetime.date):
        return date_display(value)
    return str(value)


def sort_value(value, kind: str) -> str:
    """The cell's value for sorting a table on screen (numbers and ISO dates)."""
    if value is None:
        return ""
    if kind in NUMERIC_KINDS and _is_number(value):
        return str(_number(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def rows_shown(table: Table) -> list[dict]:
    """The table's rows as the page shows them: each cell's text, kind, sort value and link
    (the column's link, else on the first cell the row's drill-down)."""
    shown = []
    for row in table.rows:
        drill = table.drill(row) if table.drill else None
        cells = []
        for index, column in enumerate(table.columns):
            value = row.get(column.key)
            link = table.links[column.key](row) if column.key in table.links else None
            cells.append(
                {
                    "text": display(value, column.kind, unit=False),
                    "kind": column.kind,
                    "sort": sort_value(value, column.kind),
                    "num": column.kind in NUMERIC_KINDS,
                    "link": link or (drill if index == 0 else None),
                }
            )
        shown.append({"cells": cells})
    return shown


def body_html(rows: list[dict]) -> str:
    """The <tr> rows of `rows_shown` as the page's table body: built here, not in the template,
    whose loop over every cell cost a busy office's month page more than its queries (a
    heatmap's table holds hundreds of rows). Every text and attribute is escaped."""
    lines = []
    for row in rows:
        tds = []
        for cell in row["cells"]:
            text = escape(cell["text"])
            if cell["link"]:
                text = f'<a href="{escape(cell["link"])}">{text}</a>'
            num = ' class="num"' if cell["num"] else ""
            tds.append(f'<td{num} data-sort="{escape(cell["sort"])}">{text}</td>')
        lines.append(f"<tr>{''.join(tds)}</tr>")
    return mark_safe("\n".join(lines))  # noqa: S308 - every part above is escaped


def totals_shown(table: Table) -> list[dict] | None:
    """The totals row as shown: "Total" in its first cell when the section left it empty,
    blank where the totals have no value."""
    if table.totals is None:
        return None
    shown = []
    for index, column in enumerate(table.columns):
        value = table.totals.get(column.key)
        if value in (None, ""):
            text = str(TOTAL) if index == 0 else ""
        else:
            text = display(value, column.kind, unit=False)
        shown.append({"text": text, "kind": column.kind, "num": column.kind in NUMERIC_KINDS})
    return shown


# Files --------------------------------------------------------------------------------------------


def _file_value(value, kind: str):
    if value is None or isinstance(value, bool):
        return value
    if kind in NUMERIC_KINDS and isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, (datetime.date, int, float, Decimal)):
        return value
    return str(value)


def file_header(table: Table) -> list[str]:
    return [str(column.label) for column in table.columns]


def file_rows(table: Table) -> list[list]:
    """The rows of the CSV and XLSX files: values as they are (numbers, dates, text)."""
    return [[_file_value(row.get(column.key), column.kind) for column in table.columns] for row in table.rows]


def file_totals(table: Table) -> list | None:
    """The totals row of the files, its first cell "Total" when the section left it empty."""
    if table.totals is None:
        return None
    values = [_file_value(table.totals.get(column.key), column.kind) for column in table.columns]
    if values and values[0] in (None, ""):
        values[0] = str(TOTAL)
    return values


def xlsx_layout(table: Table) -> tuple[dict[int, str], dict[int, float]]:
    """(number formats, widths) by column index: the header's length or the kind's width, and
    the longest text of a text column, within 8 to 60 characters."""
    formats, widths = {}, {}
    for index, column in enumerate(table.columns):
        if column.kind in XLSX_FORMATS:
            formats[index] = XLSX_FORMATS[column.kind]
        longest = max((len(str(row.get(column.key) or "")) for row in table.rows), default=0)
        wanted = max(len(str(column.label)), XLSX_WIDTHS.get(column.kind, longest))
        widths[index] = float(min(60, max(8, wanted + 2)))
    return formats, widths


# Charts -------------------------------------------------------------------------------------------


def _chart_number(value, kind: str):
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, (int, float, Decimal)):
        return None
    number = float(value)
    return round(number * 100, 2) if kind == "percent" else round(number, 2)


def _label(value, kind: str) -> str:
    return display(value, kind) if kind == "date" or kind in NUMERIC_KINDS else str(value if value is not None else "—")


def chart_data(chart: Chart, table: Table) -> dict:
    """What static/js/reports.js draws: the x labels, each series' numbers (percent as 0-100)
    and the target line; a heatmap's cells as [x index, y index, value]; a scatter's points
    as [x, y]."""
    columns = {column.key: column for column in table.columns}
    x_column = columns[chart.x]
    data = {
        "kind": chart.kind,
        "title": str(chart.title),
        "x_label": str(x_column.label),
        "target": None,
        "target_label": str(TARGET),
        "stacked": chart.stacked,
    }
    if chart.kind == "heatmap":
        y_key, value_key = chart.series[0], chart.series[1]
        xs = list(dict.fromkeys(row.get(chart.x) for row in table.rows))
        ys = list(dict.fromkeys(row.get(y_key) for row in table.rows))
        value_kind = columns[value_key].kind
        cells = [
            [xs.index(row.get(chart.x)), ys.index(row.get(y_key)), _chart_number(row.get(value_key), value_kind)]
            for row in table.rows
        ]
        data |= {
            "x": [_label(x, x_column.kind) for x in xs],
            "y": [_label(y, columns[y_key].kind) for y in ys],
            "y_label": str(columns[y_key].label),
            "value_label": str(columns[value_key].label),
            "cells": cells,
        }
        return data
    series = []
    for key in chart.series:
        column = columns[key]
        if chart.kind == "scatter":
            points = [
                [_chart_number(row.get(chart.x), x_column.kind), _chart_number(row.get(key), column.kind)]
                for row in table.rows
            ]
            series.append({"name": str(column.label), "data": points})
        else:
            series.append(
                {"name": str(column.label), "data": [_chart_number(row.get(key), column.kind) for row in table.rows]}
            )
    data["x"] = [_label(row.get(chart.x), x_column.kind) for row in table.rows]
    data["series"] = series
    percent = all(columns[key].kind == "percent" for key in chart.series)
    data["unit"] = "%" if percent else ""
    if chart.target is not None:
        data["target"] = round(float(chart.target) * 100, 2) if percent else float(chart.target)
    return data


def row_answered(row: dict, table: Table) -> dict:
    """A row as the API answers it: the columns' keys only."""
    return {column.key: row.get(column.key) for column in table.columns}


def totals_answered(table: Table) -> dict | None:
    """The totals as the API answers them: the columns' keys that have a total."""
    if table.totals is None:
        return None
    return {column.key: table.totals[column.key] for column in table.columns if column.key in table.totals}
