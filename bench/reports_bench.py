"""Reports benchmark (issue 17, "Figures"): the report pages and the evidence PDF on a year of
queue history, prints its figures with the issue's targets beside them.

    python bench/reports_bench.py [--offices 50] [--tickets 10000000] [--days 365] [--repeat 20]

It uses its own database, `sso_bench_reports` on the local server (`DATABASE_URL` names
another), filled once (a second run reuses it, a larger one tops it up):

1. Volumes: `demo_data --offices N` (the demo offices and users, the demo offices' realistic
   90 days of queue history with their case steps, the default contributions and claims),
   then `queueing.demo.history_generate` in chunks of 500,000 until `--tickets` finished
   tickets of the last `--days` days are there (timed).
2. The summaries: the queue's (`queue_summary_roll`, all the days in one statement: the
   summary rows, their day roll-ups and the month roll-ups of the ended months), the
   collection's and the claim steps' (`collection_summary_fill`, `claim_steps_fill`), timed.
3. The office dashboard for last month (the busiest office): each of the three report pages'
   section builds (in-process), then `GET /reports/` through the Django test Client as the
   office's supervisor, `--repeat` times: p50/p99 (target p99 < 300 ms).
4. The national dashboard for last month: its section builds and `GET /reports/national/` as
   the national supervisor (target < 1 s).
5. The evidence PDF for last month (`sso.core.reporting.evidence.evidence_pdf`): the office's
   and the national edition (target < 5 s).
6. A day's roll-up for all offices (a busy day of last month): `queue_summary_roll`,
   `collection_summary_roll`, `claim_steps_roll` (target < 30 s in all).
7. The ratio: the queue measures per service for the office's month, and per office for the
   national month, from the roll-ups (`queueing.selectors.queue_measures`, what the
   sections read) against a straightforward SQL over the raw `queueing_ticket` rows
   (percentile_disc).
"""

import argparse
import datetime
import logging
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "sso_bench_reports"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
# DEBUG=1 serves the static files from the finders (no collectstatic needed for the pages).
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
warnings.filterwarnings("ignore", message="No directory at")
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

CHUNK = 500_000
BUSIEST_OFFICE = "1001"  # a demo office: the realistic history and its supervisor
BACKEND = "sso.core.auth.CachedPermissionsBackend"  # the one that loads a user (conftest does the same)

# The queue measure on the raw tickets, per group: visits, the visit's (from the visit's start)
# and the wait's (issue to first call) p50/p90 in minutes, the service's average.
RAW_SQL = """
SELECT {group} AS grp, count(*) AS visits,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.finished_at - v.started_at)) / 60,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.finished_at - v.started_at)) / 60,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.first_called_at - t.issued_at)) / 60,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.first_called_at - t.issued_at)) / 60,
       avg(extract(epoch FROM t.finished_at - t.started_at)) / 60
FROM queueing_ticket t JOIN queueing_visit v ON v.id = t.visit_id
WHERE t.service_day BETWEEN %(start)s AND %(end)s AND t.finished_at IS NOT NULL
  AND (%(office)s::bigint IS NULL OR t.office_id = %(office)s::bigint)
GROUP BY 1
"""


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn, repeat):
    """fn() `repeat` times: the milliseconds of each."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def page_check(response):
    if response.status_code != 200:
        raise SystemExit(f"{response.request['PATH_INFO']}: {response.status_code}")


def verdict(value, target):
    return "ok" if value < target else "OVER"


def generate(args):
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from queueing.demo import history_generate

    started = time.perf_counter()
    call_command("demo_data", offices=args.offices, verbosity=1)
    print(f"demo data: {time.perf_counter() - started:.0f} s", flush=True)
    today = timezone.localdate()
    first = today - datetime.timedelta(days=args.days)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM queueing_ticket WHERE service_day >= %s AND service_day < %s", [first, today]
        )
        (have,) = cursor.fetchone()
    started = time.perf_counter()
    made = 0
    while have + made < args.tickets:
        # Each chunk spreads over every day of the span (its own numbers follow the days').
        chunk = min(CHUNK, args.tickets - have - made)
        made += history_generate(count=chunk, days=args.days, seed=2569 + have + made)
        print(f"  queue history: {have + made:,} of {args.tickets:,} tickets", flush=True)
    if made:
        print(f"queue history: {made:,} tickets in {time.perf_counter() - started:.0f} s", flush=True)
    return first, today


def roll_all(first, today):
    from benefits.summaries import claim_steps_fill
    from contributions.services import collection_summary_fill
    from queueing.services import queue_summary_roll

    yesterday = today - datetime.timedelta(days=1)
    started = time.perf_counter()
    rows = queue_summary_roll(day=first, end=yesterday)
    print(f"queue summary, {first} to {yesterday} in one statement: {rows:,} rows in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    started = time.perf_counter()
    days = collection_summary_fill(first=first, last=yesterday) + claim_steps_fill(first=first, last=yesterday)
    print(
        f"collection and claim-step summaries: {days} days rolled in {time.perf_counter() - started:.1f} s", flush=True
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--offices", type=int, default=50)
    parser.add_argument("--tickets", type=int, default=10_000_000, help="finished tickets of history (a year's)")
    parser.add_argument("--days", type=int, default=365, help="days the history spreads over")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (p50/p99)")
    parser.add_argument("--pdf-repeat", type=int, default=3)
    parser.add_argument("--no-roll", action="store_true", help="skip rolling up the summaries (already rolled)")
    args = parser.parse_args()
    from common import database_create  # bench/common.py (the script's own folder)
    from django.conf import settings

    database_create(settings.DATABASES["default"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from benefits.summaries import claim_steps_roll
    from contributions.services import collection_summary_roll
    from queueing.selectors import queue_measures
    from queueing.services import queue_summary_roll
    from sso.core.demo import DEMO_OFFICES, demo_username
    from sso.core.models import Office, User
    from sso.core.months import month_add, month_first
    from sso.core.reporting.evidence import evidence_pdf, month_period
    from sso.core.reports import BACKOFFICE, NATIONAL, OFFICE, sections_of

    call_command("migrate", verbosity=0)
    first, today = generate(args)
    if not args.no_roll:
        roll_all(first, today)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT office_id) FROM queueing_ticket")
        tickets, ticket_offices = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM queueing_queuesummary")
        (summaries,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FILTER (WHERE span = 'day'), count(*) FILTER (WHERE span = 'month') FROM queueing_queuerollup"
        )
        day_rollups, month_rollups = cursor.fetchone()
    print(f"database {connection.settings_dict['NAME']}: {Office.objects.count()} offices, {tickets:,} tickets "
          f"({ticket_offices} offices), {summaries:,} queue summary rows, {day_rollups:,} day and "
          f"{month_rollups:,} month roll-up rows; {os.cpu_count()} CPUs", flush=True)  # fmt: skip

    month = month_add(month_first(today), -1)
    office = Office.objects.get(code=BUSIEST_OFFICE)
    prefix = next(p for code, *_rest, p in DEMO_OFFICES if code == BUSIEST_OFFICE)
    supervisor = User.objects.get(username=demo_username(prefix, "supervisor"))
    national = User.objects.get(username=demo_username("hq", "national_supervisor"))
    office_period = month_period(office, month)
    national_period = month_period(None, month)
    query = {"start": office_period.start.isoformat(), "end": office_period.end.isoformat()}
    print(
        f"\nmonth {office_period.start} to {office_period.end}, office {office.code}; {args.repeat} repeats", flush=True
    )

    # (a) The office dashboard: the section builds of its three pages, then the page.
    for slot, period in ((OFFICE, office_period), (BACKOFFICE, office_period), (NATIONAL, national_period)):
        for section in sections_of(slot):
            section.build(period)  # warm
            times = timed(lambda s=section, p=period: s.build(p), max(3, args.repeat // 4))
            print(f"  build {slot:<18} {section.key:<28} p50 {statistics.median(times):7.1f} ms, "
                  f"max {max(times):7.1f} ms", flush=True)  # fmt: skip
    client = Client()
    client.force_login(supervisor, backend=BACKEND)
    url = reverse("core:reports_office")
    params = query | {"office": office.code}
    page_check(client.get(url, params))
    office_times = timed(lambda: client.get(url, params), args.repeat)
    back_url = reverse("core:reports_backoffice")
    page_check(client.get(back_url, params))
    back_times = timed(lambda: client.get(back_url, params), args.repeat)
    # (b) The national dashboard, as the national supervisor.
    client.force_login(national, backend=BACKEND)
    national_url = reverse("core:reports_national")
    page_check(client.get(national_url, query))
    national_times = timed(lambda: client.get(national_url, query), args.repeat)

    # (c) The evidence PDF: the office's and the national edition.
    now = timezone.now()
    office_pdf = timed(
        lambda: evidence_pdf(office=office, month=month, generated_at=now, generated_by=None, version=1),
        args.pdf_repeat,
    )
    national_pdf = timed(
        lambda: evidence_pdf(office=None, month=month, generated_at=now, generated_by=None, version=1), args.pdf_repeat
    )

    # (d) A day's roll-up for all offices: last month's busiest day.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT service_day FROM queueing_ticket WHERE service_day BETWEEN %s AND %s"
            " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            [office_period.start, office_period.end],
        )
        day = cursor.fetchone()[0]
    roll, written = {}, {}
    for name, fn in (
        ("queue_summary_roll", queue_summary_roll),
        ("collection_summary_roll", collection_summary_roll),
        ("claim_steps_roll", claim_steps_roll),
    ):
        roll[name] = statistics.median(timed(lambda f=fn, n=name: written.__setitem__(n, f(day=day)), 3))

    # (e) The same queue measure on the raw tickets, for the ratio.
    def summary(period, by):
        return queue_measures(start=period.start, end=period.end, office_ids=period.office_ids, by=(by,))

    def raw(period, group):
        with connection.cursor() as cursor:
            cursor.execute(
                RAW_SQL.format(group=group),
                {"start": period.start, "end": period.end, "office": period.office_id},
            )
            return cursor.fetchall()

    ratio_rows = []
    for label, period, by, group in (
        ("office month, per service", office_period, "service", "t.service_id"),
        ("national month, per office", national_period, "office", "t.office_id"),
    ):
        summary(period, by)
        raw(period, group)  # warm both
        fast = timed(lambda p=period, b=by: summary(p, b), 3)
        slow = timed(lambda p=period, g=group: raw(p, g), 3)
        ratio_rows.append((label, statistics.median(fast), statistics.median(slow)))

    print("\n== figures (issue 17 targets)")
    p99 = percentile(office_times, 99)
    print(f"(a) office dashboard, a month:     p50 {statistics.median(office_times):7.0f} ms, p99 {p99:7.0f} ms "
          f"(target p99 < 300 ms: {verdict(p99, 300)})")  # fmt: skip
    print(f"    back-office page, a month:     p50 {statistics.median(back_times):7.0f} ms, "
          f"p99 {percentile(back_times, 99):7.0f} ms")  # fmt: skip
    p99 = percentile(national_times, 99)
    print(f"(b) national dashboard, a month:   p50 {statistics.median(national_times):7.0f} ms, p99 {p99:7.0f} ms "
          f"(target < 1,000 ms: {verdict(p99, 1000)})")  # fmt: skip
    print(f"(c) evidence PDF, office month:    median {statistics.median(office_pdf) / 1000:5.2f} s, "
          f"max {max(office_pdf) / 1000:5.2f} s (target < 5 s: {verdict(max(office_pdf), 5000)})")  # fmt: skip
    print(f"    evidence PDF, national month:  median {statistics.median(national_pdf) / 1000:5.2f} s, "
          f"max {max(national_pdf) / 1000:5.2f} s")  # fmt: skip
    total = sum(roll.values())
    print(f"(d) a day's roll-up, all offices ({day}): {total / 1000:.2f} s (target < 30 s: {verdict(total, 30000)}): "
          + ", ".join(f"{name} {ms / 1000:.2f} s ({written[name]:,} rows)" for name, ms in roll.items()))  # fmt: skip
    for label, fast, slow in ratio_rows:
        print(f"(e) queue measure, {label}: summary {fast:.1f} ms, raw tickets {slow:.1f} ms, "
              f"raw/summary {slow / fast:.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
