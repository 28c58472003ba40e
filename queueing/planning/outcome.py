"""After the day: a plan beside what happened (the counters at work in each hour, the
arrivals against the forecast, the waits against the plan's expected)."""

from django.utils import timezone

from queueing.planning.roster import counters_per_hour
from queueing.planning.selectors import day_outcome

FIRST_HOUR, LAST_HOUR = 8, 16


def planner_day_outcome(*, run, today=None) -> dict | None:
    """None before the day is over (or with nothing recorded); else one row per hour."""
    today = today or timezone.localdate()
    plan = (run.result or {}).get("plan")
    if not plan or run.day >= today:
        return None
    recorded = {h.hour: h for h in day_outcome(office_id=run.office_id, day=run.day)}
    if not recorded:
        return {"rows": [], "empty": True}
    planned_counters = dict(zip(range(FIRST_HOUR, LAST_HOUR + 1), counters_per_hour(plan), strict=False))
    expected = {row["hour"]: row for row in plan.get("hours", [])}
    forecast = {hour: value for hour, value in ((run.result.get("forecast") or {}).get("hours") or [])}
    rows = []
    for hour in range(FIRST_HOUR, LAST_HOUR + 1):
        actual = recorded.get(hour)
        plan_row = expected.get(hour, {})
        rows.append(
            {
                "hour": hour,
                "counters_planned": planned_counters.get(hour, 0),
                "counters_open": actual.counters if actual else 0,
                "arrivals_forecast": forecast.get(hour),
                "arrivals": actual.arrivals if actual else 0,
                "wait_expected": plan_row.get("wait_average"),
                "wait_average": round(actual.wait_average, 1) if actual and actual.wait_average is not None else None,
                "p90_expected": plan_row.get("wait_p90"),
                "p90": actual.wait_p90 if actual else None,
            }
        )
    return {"rows": rows, "empty": False}
