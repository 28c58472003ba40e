"""The planner's pages: the office's runs and a new one (/queue/planner/), and one run's
figures and charts (/queue/planner/<id>/), worked out by a worker (queueing.tasks.planner_run)."""

import datetime

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from queueing.models import PlannerRun
from queueing.planning.forms import PlannerForm
from queueing.planning.selectors import planner_run_get_for_user, planner_run_list
from queueing.planning.services import planner_run_request
from queueing.planning.validation import ERROR_LIMIT
from queueing.views import with_office
from sso.core.formats import date_display
from sso.core.forms import errors_to_form


def next_fifteenth(today: datetime.date) -> datetime.date:
    if today.day <= 15:
        return today.replace(day=15)
    return (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=15)


@login_required
@permission_required("queueing.plan_counters", raise_exception=True)
@with_office
def planner(request, office):
    form = PlannerForm(request.POST or None, initial={"day": next_fifteenth(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        try:
            run = planner_run_request(
                office=office,
                day=form.cleaned_data["day"],
                replications=form.cleaned_data["replications"],
                officer=request.user,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return redirect(reverse("queueing:planner_run", args=[run.pk]))
    return render(
        request,
        "queueing/planner.html",
        {"office": office, "form": form, "runs": planner_run_list(office_id=office.pk)},
    )


def _percent(value):
    return None if value is None else round(100 * value, 1)


def _charts(result: dict) -> list[dict]:
    """The run's charts in the report pages' format (static/js/reports.js)."""
    charts = []
    forecast = result.get("forecast") or {}
    if forecast.get("hours"):
        charts.append(
            {
                "id": "chart-forecast-hours",
                "title": _("Expected arrivals by hour"),
                "data": {
                    "kind": "bar",
                    "x": [f"{hour:02d}:00" for hour, _value in forecast["hours"]],
                    "x_label": _("Hour"),
                    "series": [{"name": _("Expected arrivals"), "data": [value for _hour, value in forecast["hours"]]}],
                    "target": None,
                },
            }
        )
    backtest = result.get("backtest") or {}
    if backtest.get("days"):
        days = backtest["days"]
        charts.append(
            {
                "id": "chart-backtest",
                "title": _("Forecast against actual arrivals, recorded days (each forecast a week ahead)"),
                "data": {
                    "kind": "line",
                    "x": [date_display(datetime.date.fromisoformat(day)) for day, *_rest in days],
                    "x_label": _("Day"),
                    "series": [
                        {"name": _("Actual"), "data": [actual for _day, actual, _forecast in days]},
                        {"name": _("Forecast"), "data": [forecast for _day, _actual, forecast in days]},
                    ],
                    "target": None,
                },
            }
        )
    simulation = result.get("simulation") or {}
    if simulation.get("services"):
        services = simulation["services"]
        charts.append(
            {
                "id": "chart-services",
                "title": _("Simulated wait per service (p90) against its standard"),
                "data": {
                    "kind": "bar",
                    "x": [row["name"] for row in services],
                    "x_label": _("Service"),
                    "unit": " min",
                    "series": [
                        {"name": _("p90 wait (min)"), "data": [row["wait_p90"] for row in services]},
                        {"name": _("Standard (min)"), "data": [row["target"] for row in services]},
                    ],
                    "target": None,
                },
            }
        )
    hours = simulation.get("hours") or []
    if any(row["within"] is not None for row in hours):  # no service with a standard: no line
        charts.append(
            {
                "id": "chart-within",
                "title": _("Simulated share of visits within the standard, by hour of arrival"),
                "data": {
                    "kind": "line",
                    "x": [f"{row['hour']:02d}:00" for row in hours],
                    "x_label": _("Hour"),
                    "unit": "%",
                    "series": [{"name": _("Within the standard"), "data": [_percent(row["within"]) for row in hours]}],
                    "target": 90,
                    "target_label": _("Target"),
                },
            }
        )
    return charts


def _shown(value) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _in_language(value):
    """A name or words stored in both languages ({"th": ..., "en": ...}), in the page's."""
    if isinstance(value, dict) and "th" in value:
        return value["en"] if (get_language() or "th").startswith("en") else value["th"]
    return value


def _named(result: dict) -> dict:
    """The run's figures with its names and words in the page's language."""
    named = {key: dict(value) if isinstance(value, dict) else value for key, value in result.items()}
    if "forecast" in named:
        forecast = named["forecast"]
        forecast.update(_in_language(forecast.pop("words", {})) or {})
        forecast["services"] = [[_in_language(name), value] for name, value in forecast.get("services", [])]
        forecast["week"] = [
            {"day": datetime.date.fromisoformat(row["day"]), "total": row["total"], "words": _in_language(row["words"])}
            for row in forecast.get("week", [])
        ]
    if "simulation" in named:
        named["simulation"]["services"] = [
            {**row, "name": _in_language(row.get("name"))} for row in named["simulation"]["services"]
        ]
    return named


def _display(result: dict) -> dict:
    """The run's figures as the page shows them (after `_named`): shares as percentages."""
    shown = {key: dict(value) if isinstance(value, dict) else value for key, value in result.items()}
    for section, names in (
        ("backtest", ("day_mape", "hour_mape", "hour_wape")),
        ("simulation", ("within", "utilisation")),
        ("validation", ("recorded_within", "simulated_within")),
    ):
        if section in shown:
            for name in names:
                shown[section][name] = _shown(shown[section].get(name))
    if "simulation" in shown:
        for key in ("services", "hours"):
            shown["simulation"][key] = [
                {**row, **{name: _shown(row.get(name)) for name in ("within", "utilisation") if name in row}}
                for row in shown["simulation"][key]
            ]
    return shown


@login_required
@permission_required("queueing.plan_counters", raise_exception=True)
def planner_run(request, pk):
    run = planner_run_get_for_user(user=request.user, pk=pk)
    pending = run.status in (PlannerRun.Status.PENDING, PlannerRun.Status.RUNNING)
    named = _named(run.result)
    return render(
        request,
        "queueing/planner_run.html",
        {
            "run": run,
            "office": run.office,
            "pending": pending,
            "result": _display(named),
            "charts": [] if pending else _charts(named),
            "error_limit": round(100 * ERROR_LIMIT),
        },
    )
