"""A plan as people read it: the roster of counters by hour (which services each counter
serves in each hour), for the run's page, its printable PDF (Thai, B.E. dates; WeasyPrint
with Debian's Thai fonts, as the project's other PDFs) and its XLSX (sso.core.exports)."""

import datetime

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from queueing.planning.office import CLOSES, OPENS
from queueing.planning.plan import Shift, hour_blocks, shifts_grid
from queueing.planning.services import SPARE_FROM
from sso.core.formats import date_display, datetime_display


def _in_language(value, language: str | None = None):
    if isinstance(value, dict) and "th" in value:
        return value["en"] if (language or get_language() or "th").startswith("en") else value["th"]
    return value


def clock(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"


def hour_label(hour: int) -> str:
    start, end = max(hour * 3600, OPENS), min((hour + 1) * 3600, CLOSES)
    return f"{clock(start)}-{clock(end)}"


def counter_label(number: int) -> str:
    if number >= SPARE_FROM:
        return _("Spare desk %(n)s") % {"n": number - SPARE_FROM + 1}
    return _("Counter %(n)s") % {"n": number}


def roster_rows(plan: dict, language: str | None = None) -> tuple[list[str], list[dict]]:
    """The plan's hours (labels) and one row per counter: its label and, for each hour, the
    names of the services it serves then ("" when closed)."""
    labels = {int(pk): _in_language(name, language) for pk, name in (plan.get("labels") or {}).items()}
    shifts = [Shift.from_json(s) for s in plan.get("shifts", [])]
    grid = shifts_grid(shifts)
    hours = hour_blocks(OPENS, CLOSES)
    rows = []
    for number in sorted({s.number for s in shifts}):
        cells = []
        for hour in hours:
            served = grid.get((number, hour))
            cells.append(", ".join(labels.get(s, str(s)) for s in served) if served else "")
        rows.append({"number": number, "label": counter_label(number), "cells": cells})
    return [hour_label(h) for h in hours], rows


def counters_per_hour(plan: dict) -> list[int]:
    grid = shifts_grid([Shift.from_json(s) for s in plan.get("shifts", [])])
    return [sum(1 for (_n, h) in grid if h == hour) for hour in hour_blocks(OPENS, CLOSES)]


def roster_xlsx_rows(run, plan: dict) -> tuple[list, list[list]]:
    hours, rows = roster_rows(plan)
    header = [_("Counter"), *hours]
    body = [[row["label"], *row["cells"]] for row in rows]
    body.append([_("Counters open"), *counters_per_hour(plan)])
    return header, body


def roster_pdf(*, run, plan: dict, printed_by, printed_at) -> bytes:
    from weasyprint import HTML

    with translation.override("th"):
        hours, rows = roster_rows(plan, "th")
        html = render_to_string(
            "queueing/planner_roster_pdf.html",
            {
                "run": run,
                "office": run.office,
                "day": date_display(run.day, "th"),
                "hours": hours,
                "rows": rows,
                "per_hour": counters_per_hour(plan),
                "plan": plan,
                "services": [
                    {**row, "name": _in_language(row.get("name"), "th"), "within": _percent(row.get("within"))}
                    for row in plan.get("services", [])
                ],
                "share": round(100 * plan.get("share", 0.9)),
                "confidence": round(100 * plan.get("confidence", 0.9)),
                "printed_at": datetime_display(printed_at, "th"),
                "printed_by": (printed_by.get_full_name() or printed_by.username) if printed_by else "",
            },
        )
    return HTML(string=html).write_pdf()


def _percent(value) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def roster_filename(run, extension: str) -> str:
    day = run.day if isinstance(run.day, datetime.date) else datetime.date.fromisoformat(run.day)
    return f"roster-{run.office.code}-{day.isoformat()}-{run.pk}.{extension}"
