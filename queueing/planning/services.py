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
from queueing.planning.office import office_day_model
from queueing.planning.selectors import recorded_days
from queueing.planning.simulation import simulate
from queueing.planning.validation import validate
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


@transaction.atomic
def planner_run_request(*, office, day: datetime.date, officer, replications: int = 200, today=None) -> PlannerRun:
    """Ask for a run of the planner for the office's `day`. Refuses what the forecast refuses
    (a past day, one too far ahead, an office with too little history) and a number of
    replications not offered; nothing is stored then. The worker starts once this commits."""
    if replications not in REPLICATIONS:
        refuse("replications", _("Choose one of the numbers of replications offered."))
    forecast_days(office_id=office.pk, days=[day], today=today)
    run = PlannerRun.objects.create(
        office=office, day=day, replications=replications, requested_by=officer, requested_at=timezone.now()
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


def _figures(run: PlannerRun, today: datetime.date) -> dict:
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
    _progress(run, 70)
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
