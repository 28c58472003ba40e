"""Queue planner benchmark (issue 19, "Figures"): on the demo history, prints the forecast's
back-test error, the simulation's error against recorded days and the time of a day's
simulation with 200 replications.

    python bench/planner_bench.py [--office 1001] [--days 20] [--replications 200]

It uses its own database, `sso_bench_planner` on the local server (`DATABASE_URL` names
another), filled once with the demo offices, their staff and their realistic 90 days of queue history
(the core's and the queue's demo data; a second run reuses it):

1. Forecast back-test (queueing.planning.forecast.backtest): every recorded day of the last
   three months with at least four weeks of history a week before it, forecast from that
   history (a week ahead) and compared with its arrivals: MAPE per day (and per kind of day)
   and per hour (and WAPE per hour), for each demo office.
2. Validation (queueing.planning.validation): the office's last `--days` recorded days
   simulated with their actual arrivals and counters, `--replications` each, against the
   measured p50/p90 wait and share within the standard.
3. Timing: the next 15th's forecast simulated with the office's counters, `--replications`
   replications (target < 10 s on this 2-core machine).
4. Plan search (queueing.planning.plan.plan_search): the fewest counter-hours meeting the
   standard (90% of each service's visits within its target in 90% of the replications) on
   the next 15th and on an ordinary day, from the office's counters and `--spare-desks` spare
   desks: the time it took (wall and CPU; target < 60 s), the plans simulated, the plan's
   counter-hours against the office's counters open all day, and each service's check.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "sso_bench_planner"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)


def setup():
    from common import database_create  # bench/common.py (the script's own folder)
    from django.conf import settings

    database_create(settings.DATABASES["default"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.management.base import OutputWrapper

    from queueing import demo as queue_demo
    from sso.core import demo as core_demo

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    # The offices, their staff and their queue history: all the planner reads (the other
    # apps' demo data is not needed here).
    out = OutputWrapper(sys.stdout)
    core_demo.seed(stdout=out)
    queue_demo.seed(stdout=out, queue_days_demo=90)
    print(f"demo data ready in {time.monotonic() - started:.1f} s", flush=True)


def pct(value):
    return "-" if value is None else f"{100 * value:.1f}%"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--office", default="1001", help="the office code for the validation and the timing")
    parser.add_argument("--days", type=int, default=20, help="recorded days to validate against")
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--setup-only", action="store_true")
    parser.add_argument("--spare-desks", type=int, default=12, help="spare desks the plan search may open")
    parser.add_argument("--only", choices=["plan"], help="the plan search only")
    args = parser.parse_args()
    setup()
    if args.setup_only:
        return
    from queueing.planning.forecast import backtest
    from sso.core.demo import DEMO_OFFICES
    from sso.core.models import Office

    if args.only == "plan":
        plan_print(Office.objects.get(code=args.office), args)
        return

    print("\n1. Forecast back-test (each day forecast a week ahead; the last three months)")
    for office in Office.objects.filter(code__in=[row[0] for row in DEMO_OFFICES]).order_by("code"):
        started = time.monotonic()
        result = backtest(office_id=office.pk)
        took = time.monotonic() - started
        if not result.days:
            print(f"  {office.code}: no day to test ({len(result.skipped)} skipped)")
            continue
        print(
            f"  {office.code}: {len(result.days)} days ({len(result.skipped)} skipped): MAPE per day "
            f"{pct(result.day_mape)}, per hour {pct(result.hour_mape)} (WAPE per hour {pct(result.hour_wape)}) "
            f"[{took:.1f} s]"
        )
        print("      per kind of day: " + ", ".join(f"{k} {pct(v)}" for k, v in result.by_position().items()))
        print("      per hour: " + ", ".join(f"{h}h {pct(v)}" for h, v in result.by_hour().items()))

    office = Office.objects.get(code=args.office)
    validation_print(office, args)
    timing_print(office, args)
    plan_print(office, args)


def validation_print(office, args):
    from queueing.planning.validation import ERROR_LIMIT, validate

    print(
        f"\n2. Validation: office {office.code}'s last {args.days} recorded days simulated with their arrivals and "
        f"counters ({args.replications} replications each) against what was measured"
    )
    started = time.monotonic()
    result = validate(office_id=office.pk, count=args.days, replications=args.replications)
    took = time.monotonic() - started
    print("  day         arrivals  p50 rec/sim   p90 rec/sim (replications' 5-95%)   within rec/sim")
    for d in result.days:
        band = f"({d.simulated_p90_low}-{d.simulated_p90_high})"
        mark = "" if d.p90_inside else "  outside"
        print(
            f"  {d.day}  {d.arrivals:8d}  {d.recorded_p50:>4}/{d.simulated_p50:<4}   "
            f"{d.recorded_p90:>4}/{d.simulated_p90:<4} {band:<12}{mark:<9}"
            f"   {pct(d.recorded_within):>6}/{pct(d.simulated_within):<6}"
        )
    inside, days = result.inside
    pooled = result.pooled
    print(f"  recorded p90 within the replications' 5-95% band: {inside} of {days} days")
    print(
        f"  per day, mean absolute error: p50 wait {pct(result.p50_error)}, p90 wait {pct(result.p90_error)}, "
        f"share within the standard {100 * result.within_error:.1f} points"
    )
    print(
        f"  the {days} days pooled: p50 wait {pooled['recorded_p50']}/{pooled['simulated_p50']} min, p90 wait "
        f"{pooled['recorded_p90']}/{pooled['simulated_p90']} min (error {pct(pooled['p90_error'])}), within the "
        f"standard {pct(pooled['recorded_within'])}/{pct(pooled['simulated_within'])} "
        f"(error {100 * pooled['within_error']:+.1f} points) [{took:.1f} s]"
    )
    verdict = "OFF by more than" if result.off else "within"
    print(f"  the planner is {verdict} {100 * ERROR_LIMIT:.0f}% on its past days")
    print(f"  every demo office, its last {args.days} days pooled (100 replications each):")
    from sso.core.demo import DEMO_OFFICES
    from sso.core.models import Office

    for other in Office.objects.filter(code__in=[row[0] for row in DEMO_OFFICES]).order_by("code"):
        checked = validate(office_id=other.pk, count=args.days, replications=100)
        p = checked.pooled
        inside, days = checked.inside
        print(
            f"    {other.code}: p90 wait {p['recorded_p90']}/{p['simulated_p90']} min ({pct(p['p90_error'])}), within "
            f"{pct(p['recorded_within'])}/{pct(p['simulated_within'])} ({100 * p['within_error']:+.1f} points), "
            f"band {inside}/{days}{'  OFF' if checked.off else ''}"
        )


def timing_print(office, args):
    from django.utils import timezone

    from queueing.planning.forecast import forecast_days
    from queueing.planning.office import office_day_model
    from queueing.planning.simulation import simulate

    today = timezone.localdate()
    fifteenth = today.replace(day=15)
    if fifteenth < today:
        fifteenth = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=15)
    [forecast] = forecast_days(office_id=office.pk, days=[fifteenth])
    print(
        f"\n3. A day's simulation: office {office.code} on {fifteenth} (forecast {forecast.total:.0f} arrivals), "
        f"{args.replications} replications"
    )
    model = office_day_model(office_id=office.pk, day=fifteenth)
    times = []
    for seed in range(3):
        started = time.monotonic()
        result = simulate(model, rates=forecast.cells, replications=args.replications, seed=seed)
        times.append(time.monotonic() - started)
    day = result.figures(result.day())
    print(
        f"  {statistics.median(times):.2f} s (median of 3; target < 10 s): wait average {day['wait_average']:.0f} min, "
        f"p90 {day['wait_p90']} min, within the standard {pct(day['within_share'])}, "
        f"utilisation {pct(result.utilisation())}"
    )


def plan_print(office, args):
    from django.utils import timezone

    from queueing.planning.calendar import office_calendar
    from queueing.planning.forecast import forecast_days
    from queueing.planning.office import CLOSES, OPENS, office_day_model
    from queueing.planning.plan import Shift, Standard, counter_hours, plan_check, plan_search
    from queueing.planning.selectors import counters_now
    from queueing.planning.services import SCREEN_REPLICATIONS, SPARE_FROM

    today = timezone.localdate()
    fifteenth = today.replace(day=15)
    if fifteenth < today:
        fifteenth = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=15)
    calendar = office_calendar(office_id=office.pk, start=today, end=today + datetime.timedelta(days=40))
    ordinary = next(d for d, i in sorted(calendar.items()) if d > today and i.is_open and i.position == "ordinary")
    standard = Standard(share=0.9, confidence=0.9)
    print(
        f"\n4. Plan search: office {office.code}, 90% of each service's visits within its target in 90% of "
        f"{args.replications} replications (screened with {SCREEN_REPLICATIONS}), the office's counters and "
        f"{args.spare_desks} spare desks"
    )
    for label, day in (("the 15th", fifteenth), ("an ordinary day", ordinary)):
        [forecast] = forecast_days(office_id=office.pk, days=[day])
        model = office_day_model(office_id=office.pk, day=day)
        now = counters_now(office_id=office.pk)
        roster = [Shift(number, served, OPENS, CLOSES) for number, served in now]
        checked = plan_check(
            model, roster, forecast.cells, standard=standard, closes=CLOSES, replications=args.replications
        )
        cpu, started = time.process_time(), time.monotonic()
        found = plan_search(
            model,
            forecast.cells,
            counters=now + [(SPARE_FROM + n, ()) for n in range(args.spare_desks)],
            opens=OPENS,
            closes=CLOSES,
            standard=standard,
            screen_replications=SCREEN_REPLICATIONS,
            replications=args.replications,
        )
        wall, cpu = time.monotonic() - started, time.process_time() - cpu

        def services(check):
            return ", ".join(
                f"{sid}:{pct(c.within)}/{100 * c.met:.0f}%{'' if c.meets else ' MISSED'}"
                for sid, c in sorted(check.services.items())
                if c.target is not None or not c.meets
            )

        print(f"  {label} {day} (forecast {forecast.total:.0f} arrivals):")
        print(
            f"    the office's {len(roster)} counters open all day: {counter_hours(roster):.1f} counter-hours, "
            f"{'meets' if checked.meets else 'misses'} the standard [{services(checked)}]"
        )
        print(
            f"    the plan found: {counter_hours(found.shifts):.1f} counter-hours on "
            f"{len({s.number for s in found.shifts})} counters/desks, {'meets' if found.check.meets else 'MISSES'} "
            f"the standard [{services(found.check)}]"
        )
        print(f"    search: {wall:.1f} s wall, {cpu:.1f} s CPU (target < 60 s), {found.evaluations} plans simulated")


if __name__ == "__main__":
    main()
