"""The planner's pages: the office's runs and a new one (/queue/planner/), and one run's
figures and charts (/queue/planner/<id>/), worked out by a worker (queueing.tasks.planner_run)."""

import datetime

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from queueing.models import PlannerRun, Service
from queueing.planning.forms import PlannerForm, ShiftFormSet, WhatIfForm
from queueing.planning.outcome import planner_day_outcome
from queueing.planning.plan import Shift
from queueing.planning.roster import counters_per_hour, roster_filename, roster_pdf, roster_rows, roster_xlsx_rows
from queueing.planning.selectors import planner_run_get_for_user, planner_run_list
from queueing.planning.services import planner_run_request, planner_what_if_request
from queueing.planning.validation import ERROR_LIMIT
from queueing.views import with_office
from sso.core.exports import xlsx_response
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
                within_percent=form.cleaned_data["within_percent"],
                confidence_percent=form.cleaned_data["confidence_percent"],
                spare_desks=form.cleaned_data["spare_desks"],
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
    plan = result.get("plan") or {}
    if plan.get("shifts"):
        per_hour = counters_per_hour(plan)
        series = [{"name": _("Plan"), "data": per_hour}]
        if result.get("roster"):
            series.append({"name": _("Counters now"), "data": counters_per_hour(result["roster"])})
        charts.append(
            {
                "id": "chart-plan-counters",
                "title": _("Counters open per hour"),
                "data": {
                    "kind": "bar",
                    "x": roster_rows(plan)[0],
                    "x_label": _("Hour"),
                    "series": series,
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


def _plan_shown(plan: dict | None) -> dict | None:
    """A stored plan as the page shows it: its roster by hour and its services' figures."""
    if not plan:
        return None
    hours, rows = roster_rows(plan)
    return {
        **plan,
        "hours": hours,
        "rows": rows,
        "per_hour": counters_per_hour(plan),
        "services": [
            {
                **row,
                "name": _in_language(row.get("name")),
                "within": _shown(row.get("within")),
                "met": _shown(row.get("met")),
            }
            for row in plan.get("services", [])
        ],
        "missed": [_in_language(row.get("name")) for row in plan.get("services", []) if not row.get("meets")],
        "share": round(100 * plan.get("share", 0.9)),
        "confidence": round(100 * plan.get("confidence", 0.9)),
    }


def _services_offered(office) -> list[tuple[int, str]]:
    return [(s.pk, s.name) for s in Service.objects.filter(office=office, is_active=True).order_by("sort_order")]


def _plan_formset(run: PlannerRun, data=None) -> ShiftFormSet:
    plan = (run.result or {}).get("plan") or {}
    initial = [
        {
            "number": s["number"],
            "services": s["services"],
            "opens": datetime.time(int(s["opens"] // 3600), int(s["opens"] % 3600 // 60)),
            "closes": datetime.time(int(s["closes"] // 3600), int(s["closes"] % 3600 // 60)),
        }
        for s in plan.get("shifts", [])
    ]
    # Bound, a row is read as posted: with the plan as its initial, a row left as it was would
    # count as unchanged, and be dropped like an empty one.
    return ShiftFormSet(
        data,
        initial=None if data is not None else initial,
        prefix="shift",
        form_kwargs={"services": _services_offered(run.office)},
    )


def _run_page(request, run: PlannerRun, formset=None, status: int = 200):
    pending = run.status in (PlannerRun.Status.PENDING, PlannerRun.Status.RUNNING)
    named = _named(run.result)
    plan = _plan_shown(run.result.get("plan"))
    if formset is None and plan and not pending:
        formset = _plan_formset(run)
    return render(
        request,
        "queueing/planner_run.html",
        {
            "run": run,
            "office": run.office,
            "pending": pending,
            "result": _display(named),
            "plan": plan,
            "roster": _plan_shown(run.result.get("roster")),
            "formset": formset,
            "charts": [] if pending else _charts(named),
            "error_limit": round(100 * ERROR_LIMIT),
            "outcome": planner_day_outcome(run=run) if plan and not pending else None,
            "what_if": _what_if_shown(run.result or {}),
        },
        status=status,
    )


@login_required
@permission_required("queueing.plan_counters", raise_exception=True)
def planner_run(request, pk):
    return _run_page(request, planner_run_get_for_user(user=request.user, pk=pk))


@login_required
@permission_required("queueing.plan_counters", raise_exception=True)
@require_POST
def planner_plan_edit(request, pk):
    """The supervisor's edit of a run's plan, simulated as a new run of the same day."""
    run = planner_run_get_for_user(user=request.user, pk=pk)
    if not (run.result or {}).get("plan"):
        raise Http404
    formset = _plan_formset(run, request.POST)
    if formset.is_valid():
        try:
            edited = planner_run_request(
                office=run.office,
                day=run.day,
                replications=run.replications,
                within_percent=run.within_percent,
                confidence_percent=run.confidence_percent,
                plan=[Shift.from_json(s) for s in formset.shifts()],
                parent=run,
                officer=request.user,
            )
        except ValidationError as exc:
            formset.refusals = exc.messages
        else:
            return redirect(reverse("queueing:planner_run", args=[edited.pk]))
    return _run_page(request, run, formset=formset, status=400)


def _plan_of(request, pk) -> tuple[PlannerRun, dict]:
    run = planner_run_get_for_user(user=request.user, pk=pk)
    plan = (run.result or {}).get("plan")
    if run.status != PlannerRun.Status.DONE or not plan:
        raise Http404
    return run, plan


@login_required
@permission_required("queueing.plan_counters", raise_exception=True)
def planner_roster_pdf(request, pk):
    run, plan = _plan_of(request, pk)
    content = roster_pdf(run=run, plan=plan, printed_by=request.user, printed_at=timezone.now())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{roster_filename(run, "pdf")}"'
    return response


@login_required
@permission_required("queueing.plan_counters", raise_exception=True)
def planner_roster_xlsx(request, pk):
    run, plan = _plan_of(request, pk)
    header, rows = roster_xlsx_rows(run, plan)
    return xlsx_response(
        roster_filename(run, "xlsx"),
        title=_("Roster %(day)s") % {"day": date_display(run.day)},
        header=header,
        rows=rows,
        widths={0: 16, **{n: 22 for n in range(1, len(header))}},
    )


def _what_if_shown(result: dict) -> dict | None:
    what_if = result.get("what_if")
    if not what_if:
        return None
    offices = []
    for row in what_if["offices"]:
        rows = [{**r, "within": _shown(r.get("within"))} for r in row.get("rows", [])]
        offices.append({**row, "name": _in_language(row.get("name")), "rows": rows})
    return {"shares": what_if["shares"], "offices": offices}


@login_required
@permission_required(["queueing.plan_counters", "core.view_all_offices"], raise_exception=True)
@with_office
def planner_what_if(request, office):
    """Head office's what-if: moving contribution payers to the bank and internet channels."""
    from sso.core.models import Office

    offices = list(Office.objects.order_by("code"))
    form = WhatIfForm(request.POST or None, offices=offices, initial={"day": next_fifteenth(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["office"]
        chosen = [o for o in offices if o.code == code] if code else offices
        try:
            run = planner_what_if_request(
                office=office,
                offices=chosen,
                day=form.cleaned_data["day"],
                shares=form.cleaned_data["shares"],
                replications=form.cleaned_data["replications"],
                officer=request.user,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return redirect(reverse("queueing:planner_run", args=[run.pk]))
    runs = PlannerRun.objects.filter(what_if__isnull=False).select_related("requested_by")[:20]
    return render(request, "queueing/planner_what_if.html", {"office": office, "form": form, "runs": runs})
