"""Benefits benchmark: the examine step (the rules engine with its history lookups), prints its figures.

    .venv/bin/python bench/benefits_bench.py [--persons 1000000] [--calls 1000]

It uses its own database, `sso_bench_benefits` on the local server (`DATABASE_URL` names
another), filled once by `manage.py demo_data --employers N/10 --persons N
--contribution-months 12` (a second run reuses it): N insured persons, a year of
contributions (statements, payments, contribution months) and Section 39/40 payments.

For `--calls` random insured persons (of every section), `benefits.rules.examine` runs for
a sickness claim dated today (3 of the 15 months before; the daily wage from the 3 best of
the 9 months before), a child allowance for a child when the person has one (12 of 36;
the children's count), and an old-age claim (all months ever; the 60-month average), as the
examine step does at the counter: p50/p99/max per benefit, in-process (the page adds its
render on top).
"""

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "sso_bench_benefits"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
warnings.filterwarnings("ignore", message="No directory at")


def database_create(name):
    import psycopg

    with psycopg.connect(dbname="postgres", host="127.0.0.1", user="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    from django.conf import settings

    database_create(settings.DATABASES["default"]["NAME"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benefits import rules
    from registry.models import Dependant, InsuredPerson

    call_command("migrate", verbosity=0)
    have = InsuredPerson.objects.count()
    if have < args.persons:
        started = time.perf_counter()
        call_command(
            "demo_data",
            employers=max(args.persons // 10, 300),
            persons=args.persons,
            contribution_months=12,
            verbosity=1,
        )
        print(f"demo data: {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM contributions_contributionmonth")
        (months,) = cursor.fetchone()
        cursor.execute("SELECT min(id), max(id) FROM registry_insuredperson")
        low, high = cursor.fetchone()
    print(f"database {connection.settings_dict['NAME']}: {InsuredPerson.objects.count():,} persons, "
          f"{months:,} contribution months; {os.cpu_count()} CPUs", flush=True)  # fmt: skip

    rng = random.Random(11)
    today = timezone.localdate()
    ids = [rng.randint(low, high) for _ in range(args.calls * 2)]
    persons = {p.pk: p for p in InsuredPerson.objects.filter(pk__in=ids)}
    chosen = [persons[i] for i in ids if i in persons][: args.calls]
    children = {
        child.person_id: child
        for child in Dependant.objects.filter(person_id__in=[p.pk for p in chosen], kind=Dependant.Kind.CHILD)
    }
    # Warm: the parameter rows and the connection.
    rules.examine(person=chosen[0], benefit="sickness", event_date=today, details={"days_off": 5})
    figures = {}
    for benefit in ("sickness", "child_allowance", "old_age"):
        times, eligible = [], 0
        for person in chosen:
            dependant = children.get(person.pk)
            if benefit == "child_allowance" and dependant is None:
                continue
            started = time.perf_counter()
            outcome = rules.examine(
                person=person,
                benefit=benefit,
                event_date=today,
                details={"days_off": 5} if benefit == "sickness" else {},
                dependant=dependant,
            )
            times.append((time.perf_counter() - started) * 1000)
            eligible += bool(outcome.eligible)
        figures[benefit] = (times, eligible)
        print(
            f"examine {benefit:<16} {len(times):>5} claims: p50 {statistics.median(times):.2f} ms, "
            f"p99 {percentile(times, 99):.2f} ms, max {max(times):.2f} ms; {eligible} eligible",
            flush=True,
        )
    every = [t for times, _eligible in figures.values() for t in times]
    print(f"== examine, all benefits: p99 {percentile(every, 99):.2f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()
