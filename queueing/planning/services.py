"""The planner's writes: a supervisor's request for a run (checked, stored, handed to a
worker once committed) and the worker's execution of it (the forecast, the simulation of
the day with the office's counters, the check against recorded days), stored as figures."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from queueing.models import PlannerRun, Service
from queueing.planning.calendar import office_calendar
from queueing.planning.forecast import MAX_AHEAD_DAYS, backtest, forecast_days
from queueing.planning.office import CLOSES, OPENS, office_day_model
from queueing.planning.plan import Shift, Standard, counter_hours, plan_check, plan_search, uncovered
from queueing.planning.selectors import counters_now, recorded_days
from queueing.planning.simulation import HOUR, simulate
from queueing.planning.validation import validate
from sso.core.formats import date_display
from sso.core.records import refuse

logger = logging.getLogger(__name__)

REPLICATIONS = (50, 100, 200, 500)
LANGUAGES = ("th", "en")
WEEK_DAYS = 7
# The recorded days the run checks the simulation against, and their replications (the
# bench checks 20 days with 200: make bench-planner).
VALIDATION_DAYS = 10
VALIDATION_REPLICATIONS = 100
BACKTEST_DAYS_SHOWN = 30
MAX_SHIFTS = 200
MAX_SPARE_DESKS = 20
# The plan search's screening replications (the plan found is confirmed with the run's).
SCREEN_REPLICATIONS = 40
# Spare desks are numbered from here on the roster.
SPARE_FROM = 101


def _clock(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"


def plan_validate(*, office, shifts: list[Shift], rates: dict) -> None:
    """Refuse a plan the office cannot work (field "plan", in the reader's language): a
    counter open outside the office's hours, or with no service, or twice at once; a
    service not the office's; a service with expected arrivals and no counter open for them."""
    if not shifts:
        refuse("plan", _("The plan has no counter open."))
    if len(shifts) > MAX_SHIFTS:
        refuse("plan", _("A plan has at most %(n)s counter shifts.") % {"n": MAX_SHIFTS})
    services = {s.pk: s for s in Service.objects.filter(office=office, is_active=True)}
    for shift in shifts:
        named = {
            "counter": shift.number,
            "opens": _clock(shift.opens),
            "closes": _clock(shift.closes),
            "office_opens": _clock(OPENS),
            "office_closes": _clock(CLOSES),
        }
        if shift.opens < OPENS or shift.closes > CLOSES:
            refuse(
                "plan",
                _(
                    "Counter %(counter)s is planned from %(opens)s to %(closes)s: the office is open from "
                    "%(office_opens)s to %(office_closes)s only."
                )
                % named,
            )
        if shift.closes <= shift.opens:
            refuse("plan", _("Counter %(counter)s closes before it opens (%(opens)s-%(closes)s).") % named)
        if not shift.services:
            refuse("plan", _("Counter %(counter)s serves no service from %(opens)s.") % named)
        if any(s not in services for s in shift.services):
            refuse("plan", _("Counter %(counter)s serves a service that is not this office's.") % named)
    by_counter: dict[int, list[Shift]] = {}
    for shift in shifts:
        by_counter.setdefault(shift.number, []).append(shift)
    for number, own in by_counter.items():
        own.sort(key=lambda s: s.opens)
        for before, after in zip(own, own[1:], strict=False):
            if after.opens < before.closes:
                refuse(
                    "plan",
                    _("Counter %(counter)s has two shifts at once from %(at)s.")
                    % {"counter": number, "at": _clock(after.opens)},
                )
    for service_id, hour, expected in uncovered(shifts, rates, OPENS):
        if service_id in services:
            refuse(
                "plan",
                _("No counter serves %(service)s from %(hour)s, when %(n)s visits are expected.")
                % {"service": services[service_id].name, "hour": _clock(max(hour * HOUR, OPENS)), "n": round(expected)},
            )


@transaction.atomic
def planner_what_if_request(
    *, office, offices: list, day: datetime.date, shares: list[int], officer, replications: int = 100, today=None
) -> PlannerRun:
    """Head office's what-if of moving contribution payers to the bank and internet channels
    on `day` (a coming day), for `offices`: refused, with nothing stored, for a past day, no
    office, or shares not between 0 and 90%."""
    from queueing.planning.whatif import MAX_OFFICES, MAX_SHARES

    today = today or timezone.localdate()
    if day <= today:
        refuse("day", _("A forecast is for a coming day: %(day)s has passed.") % {"day": date_display(day)})
    if not offices:
        refuse("offices", _("Choose an office, or all offices."))
    if len(offices) > MAX_OFFICES:
        refuse("offices", _("At most %(n)s offices at once.") % {"n": MAX_OFFICES})
    if not shares or len(shares) > MAX_SHARES or any(not 0 <= s <= 90 for s in shares):
        refuse("shares", _("Give one to %(n)s shares, each from 0%% to 90%%.") % {"n": MAX_SHARES})
    if replications not in REPLICATIONS:
        refuse("replications", _("Choose one of the numbers of replications offered."))
    run = PlannerRun.objects.create(
        office=office,
        day=day,
        replications=replications,
        what_if={"offices": [o.pk for o in offices], "shares": sorted(set(shares))},
        requested_by=officer,
        requested_at=timezone.now(),
    )
    from queueing.tasks import planner_run  # the tasks module imports this one

    transaction.on_commit(lambda: planner_run.delay(run.pk))
    return run


@transaction.atomic
def planner_run_request(
    *,
    office,
    day: datetime.date,
    officer,
    replications: int = 200,
    within_percent: int = 90,
    confidence_percent: int = 90,
    spare_desks: int = 0,
    plan: list[Shift] | None = None,
    parent: PlannerRun | None = None,
    today=None,
) -> PlannerRun:
    """Ask for a run of the planner for the office's `day`: with `plan` (a supervisor's,
    edited from `parent`'s), its simulation; without, the search for the fewest counter-hours
    meeting the standard. Refuses what the forecast refuses (a past day, one too far ahead, an
    office with too little history, saying what is missing), a number of replications or a
    standard not offered, and a plan the office cannot work (plan_validate); nothing is
    stored then. The worker starts once this commits."""
    if replications not in REPLICATIONS:
        refuse("replications", _("Choose one of the numbers of replications offered."))
    if not (50 <= within_percent <= 100):
        refuse("within_percent", _("The share of visits within the standard is between 50% and 100%."))
    if not (50 <= confidence_percent <= 99):
        refuse("confidence_percent", _("The share of replications meeting the standard is between 50% and 99%."))
    if not (0 <= spare_desks <= MAX_SPARE_DESKS):
        refuse("spare_desks", _("At most %(n)s spare desks.") % {"n": MAX_SPARE_DESKS})
    [forecast] = forecast_days(office_id=office.pk, days=[day], today=today)
    if plan is not None:
        plan_validate(office=office, shifts=plan, rates=forecast.cells)
    run = PlannerRun.objects.create(
        office=office,
        day=day,
        replications=replications,
        within_percent=within_percent,
        confidence_percent=confidence_percent,
        spare_desks=spare_desks,
        plan=[s.as_json() for s in plan] if plan is not None else None,
        parent=parent,
        requested_by=officer,
        requested_at=timezone.now(),
    )
    from queueing.tasks import planner_run  # the tasks module imports this one

    transaction.on_commit(lambda: planner_run.delay(run.pk))
    return run


def _progress(run: PlannerRun, percent: int) -> None:
    PlannerRun.objects.filter(pk=run.pk).update(progress=percent)


def _round(value, digits=1):
    return None if value is None else round(value, digits)


def planner_run_execute(*, run_id: int, today=None) -> PlannerRun | None:
    """Work out a requested run and store its figures. Idempotent: a run already done or
    failed is left as it is; one left running by a lost worker is run again."""
    claimed = PlannerRun.objects.filter(
        pk=run_id, status__in=[PlannerRun.Status.PENDING, PlannerRun.Status.RUNNING]
    ).update(status=PlannerRun.Status.RUNNING, progress=5)
    if not claimed:
        return None
    run = PlannerRun.objects.select_related("office").get(pk=run_id)
    try:
        result = _figures(run, today or timezone.localdate())
    except Exception as exc:  # noqa: BLE001 - kept on the run, which the supervisor asks for again
        # Not retried: a run whose history changed under it (or a bug) fails the same way
        # again; a worker lost mid-run leaves it running, and the task's redelivery runs it.
        logger.exception("planner run %s failed", run_id)
        run.status, run.error, run.finished_at = PlannerRun.Status.FAILED, str(exc)[:2000], timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        return run
    run.result, run.status, run.progress, run.finished_at = result, PlannerRun.Status.DONE, 100, timezone.now()
    run.save(update_fields=["result", "status", "progress", "finished_at"])
    return run


def _what_if(run: PlannerRun, today: datetime.date) -> dict:
    from queueing.planning.whatif import what_if_office
    from sso.core.models import Office

    offices = list(Office.objects.filter(pk__in=run.what_if["offices"]).order_by("code"))
    rows = []
    for n, office in enumerate(offices):
        figures = what_if_office(
            office_id=office.pk, day=run.day, shares=run.what_if["shares"], replications=run.replications, today=today
        )
        rows.append({"office": office.code, "name": {"th": office.name_th, "en": office.name_en}, **figures})
        _progress(run, 5 + round(90 * (n + 1) / len(offices)))
    return {"what_if": {"shares": run.what_if["shares"], "offices": rows}}


def _figures(run: PlannerRun, today: datetime.date) -> dict:
    if run.what_if:
        return _what_if(run, today)
    office_id = run.office_id
    [forecast] = forecast_days(office_id=office_id, days=[run.day], today=today)
    model = office_day_model(office_id=office_id, day=run.day)
    names = {s.service_id: s for s in model.services.values()}
    services = Service.objects.filter(office_id=office_id).order_by("sort_order")
    # Read in either language: the service's names, and the forecast's words in each.
    labels = {s.pk: {"th": s.name_th, "en": s.name_en} for s in services}
    order = {s.pk: i for i, s in enumerate(services)}
    # The week from the day on (as far as the forecast reaches), its words in each language.
    last = min(run.day + datetime.timedelta(days=WEEK_DAYS - 1), today + datetime.timedelta(days=MAX_AHEAD_DAYS))
    week_days = [run.day + datetime.timedelta(days=n) for n in range((last - run.day).days + 1)]
    words, week = {}, []
    for language in LANGUAGES:
        with translation.override(language):
            said = forecast_days(office_id=office_id, days=week_days, today=today)
            words[language] = {
                "position": said[0].info.position_label,
                "closed": said[0].info.closed,
                "missing": said[0].missing,
                "notes": said[0].notes,
            }
            for n, f in enumerate(said):
                if language == LANGUAGES[0]:
                    week.append(
                        {"day": f.day.isoformat(), "total": None if f.missing else _round(f.total), "words": {}}
                    )
                closed = _("Closed: %(reason)s.") % {"reason": f.info.closed} if f.info.closed else ""
                week[n]["words"][language] = closed or f.missing or f.info.position_label
    result = {
        "forecast": {
            "words": words,
            "week": week,
            "closed": bool(forecast.info.closed),
            "missing": bool(forecast.missing),
            "total": _round(forecast.total),
            "base": _round(forecast.base),
            "base_days": forecast.base_days,
            "factor": _round(forecast.factor, 2),
            "factor_days": forecast.factor_days,
            "holiday_factor": _round(forecast.holiday_factor, 2),
            "trend": _round(forecast.trend, 2),
            "hours": [[hour, _round(value)] for hour, value in forecast.hours.items()],
            "services": [
                [labels.get(pk), _round(value)]
                for pk, value in sorted(forecast.services.items(), key=lambda item: -item[1])
            ],
        }
    }
    _progress(run, 20)
    standard = Standard(share=run.within_percent / 100, confidence=run.confidence_percent / 100)
    if run.plan is not None:  # the supervisor's plan, simulated
        if forecast.cells:
            shifts = [Shift.from_json(s) for s in run.plan]
            checked = plan_check(
                model, shifts, forecast.cells, standard=standard, closes=CLOSES, replications=run.replications
            )
            result["plan"] = _plan_section(shifts, checked, labels, order, standard)
            result["plan"]["edited_from"] = run.parent_id
        return result
    tested = backtest(office_id=office_id, end=today - datetime.timedelta(days=1))
    result["backtest"] = {
        "days_tested": len(tested.days),
        "days_skipped": len(tested.skipped),
        "day_mape": _round(tested.day_mape, 3),
        "hour_mape": _round(tested.hour_mape, 3),
        "hour_wape": _round(tested.hour_wape, 3),
        "days": [[d.day.isoformat(), d.actual, _round(d.forecast)] for d in tested.days[-BACKTEST_DAYS_SHOWN:]],
    }
    _progress(run, 40)
    if forecast.cells:
        simulated = simulate(model, rates=forecast.cells, replications=run.replications)
        services = []
        for service_id in sorted({s for s, _h in simulated.cells}, key=lambda s: order.get(s, 0)):
            f = simulated.figures(simulated.service(service_id))
            services.append(
                {
                    "name": labels.get(service_id),
                    "tickets": _round(f["tickets"]),
                    "wait_average": _round(f["wait_average"]),
                    "wait_p90": f["wait_p90"],
                    "within": _round(f["within_share"], 3),
                    "target": names[service_id].target_minutes if service_id in names else None,
                    "unserved": _round(f["unserved"]),
                }
            )
        hours = []
        for hour in sorted({h for _s, h in simulated.cells}):
            f = simulated.figures(simulated.hour(hour))
            hours.append(
                {
                    "hour": hour,
                    "tickets": _round(f["tickets"]),
                    "wait_average": _round(f["wait_average"]),
                    "wait_p90": f["wait_p90"],
                    "within": _round(f["within_share"], 3),
                    "waiting": _round(f["waiting"]),
                    "utilisation": _round(simulated.utilisation(hour), 3),
                }
            )
        day = simulated.figures(simulated.day())
        result["simulation"] = {
            "replications": run.replications,
            "seconds": _round(simulated.seconds, 2),
            "counters": len(model.counters),
            "wait_average": _round(day["wait_average"]),
            "wait_p90": day["wait_p90"],
            "within": _round(day["within_share"], 3),
            "utilisation": _round(simulated.utilisation(), 3),
            "services": services,
            "hours": hours,
        }
    _progress(run, 60)
    if forecast.cells:
        roster = [Shift(number, served, OPENS, CLOSES) for number, served in counters_now(office_id=office_id)]
        spares = [(SPARE_FROM + n, ()) for n in range(run.spare_desks)]
        found = plan_search(
            model,
            forecast.cells,
            counters=[(s.number, s.services) for s in roster] + spares,
            opens=OPENS,
            closes=CLOSES,
            standard=standard,
            screen_replications=SCREEN_REPLICATIONS,
            replications=run.replications,
            progress=lambda share: _progress(run, 60 + round(25 * share)),
        )
        result["plan"] = _plan_section(found.shifts, found.check, labels, order, standard)
        result["plan"]["search"] = {
            "seconds": _round(found.seconds, 1),
            "evaluations": found.evaluations,
            "screen_replications": SCREEN_REPLICATIONS,
            "replications": run.replications,
        }
        if roster:
            checked = plan_check(
                model, roster, forecast.cells, standard=standard, closes=CLOSES, replications=run.replications
            )
            result["roster"] = _plan_section(roster, checked, labels, order, standard)
    _progress(run, 85)
    days = recorded_days(office_id=office_id, before=today, count=VALIDATION_DAYS)
    calendar = office_calendar(office_id=office_id, start=days[0], end=days[-1]) if days else {}
    days = [d for d in days if calendar[d].is_open]
    if days:
        checked = validate(office_id=office_id, days=days, replications=VALIDATION_REPLICATIONS)
        pooled = checked.pooled
        result["validation"] = {
            "days": len(checked.days),
            "replications": VALIDATION_REPLICATIONS,
            "inside": list(checked.inside),
            "off": checked.off,
            **{key: _round(value, 3) for key, value in pooled.items()},
        }
    return result


def _plan_section(shifts: list[Shift], checked, labels: dict, order: dict, standard: Standard) -> dict:
    """A plan and its check, as stored on the run: its shifts, counter-hours, and per service
    the share of its visits within the standard, of the replications meeting it, the waits."""
    services = []
    for service_id, check in sorted(checked.services.items(), key=lambda item: order.get(item[0], 0)):
        f = checked.result.figures(checked.result.service(service_id))
        services.append(
            {
                "id": service_id,
                "name": labels.get(service_id),
                "target": check.target,
                "tickets": _round(f["tickets"]),
                "wait_average": _round(f["wait_average"]),
                "wait_p90": f["wait_p90"],
                "within": _round(check.within, 3),
                "met": _round(check.met, 3),
                "meets": check.meets,
                "unserved": _round(check.unserved),
            }
        )
    hours = []
    for hour in sorted({h for _s, h in checked.result.cells if OPENS // HOUR <= h < CLOSES / HOUR}):
        f = checked.result.figures(checked.result.hour(hour))
        hours.append({"hour": hour, "wait_average": _round(f["wait_average"]), "wait_p90": f["wait_p90"]})
    return {
        "share": standard.share,
        "confidence": standard.confidence,
        "meets": checked.meets,
        "counter_hours": _round(counter_hours(shifts)),
        "shifts": [s.as_json() for s in shifts],
        "services": services,
        "hours": hours,
        "labels": {str(pk): name for pk, name in labels.items()},
    }
