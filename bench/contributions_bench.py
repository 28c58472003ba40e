"""Contributions benchmark: prints its figures.

    .venv/bin/python bench/contributions_bench.py [--lines 10000] [--runs 5] [--calls 1000]

It uses its own database, `sso_bench_contrib` on the local server (created when missing; the
`DATABASE_URL` environment variable names another), with the demo offices and users and one
employer of `--lines` employees, loaded with COPY.

1. An SSO 1-10 text file of `--lines` employees (TIS-620, CRLF) is uploaded through the real
   web request: the Django test client, signed in as the office's counter officer, POSTs it
   (multipart) to the upload page, which parses, checks and stores it (`contributions.services.
   statement_file_submit`). Median of `--runs` runs, each for another wage period. The
   back-office cross-check is queued on commit in production; here its enqueueing is skipped.
   In-process figures of the parts come with it: reading the file, `statement_check`.
2. For the ratio: `COPY` of the same number of rows into a scratch table of the same shape as
   the statement lines (`LIKE ... INCLUDING ALL`: its indexes), the least storing them costs.
3. `contributions.selectors.contribution_months_count` for persons with 360 months of
   ContributionMonth history: p50/p99 over `--calls` calls (a 15-month window, as the
   sickness rule asks, and the whole history).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "sso_bench_contrib"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
# Production-like: no query logging; the test client's host allowed; plain HTTP.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
os.environ.setdefault("LOG_LEVEL", "WARNING")
warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic: no page's file is fetched


def database_create():
    """Create the benchmark's database when it is not there yet."""
    import psycopg
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    params = {
        key: value
        for key, value in {
            "host": settings.DATABASES["default"].get("HOST") or "127.0.0.1",
            "port": settings.DATABASES["default"].get("PORT") or 5432,
            "user": settings.DATABASES["default"].get("USER") or "postgres",
            "password": settings.DATABASES["default"].get("PASSWORD") or None,
        }.items()
        if value is not None
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            say(f"created database {name}")


import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

summary = []  # (what, figure)


def say(text=""):
    print(text, flush=True)


def note(what, figure):
    summary.append((what, figure))
    say(f"{what:<62} {figure}")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def ms(seconds):
    return f"{seconds * 1000:,.1f} ms"


# Set-up ----------------------------------------------------------------------------------------

OFFICE, OFFICER = "1001", "bkk1.counter"
TAX_ID_BODY = "010555000999"  # the bench employer's tax ID, without its check digit
HIRED = datetime.date(2019, 1, 1)


def setup(lines: int):
    from registry.models import Employer, Employment, InsuredPerson
    from registry.services import employer_register
    from registry.validators import pin_check_digit
    from sso.core import demo as core_demo
    from sso.core.models import Office

    say("== set-up")
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    core_demo.seed(stdout=None)
    officer = get_user_model().objects.get(username=OFFICER)
    office = Office.objects.get(code=OFFICE)
    tax_id = TAX_ID_BODY + pin_check_digit(TAX_ID_BODY)
    employer = Employer.objects.filter(tax_id=tax_id).first()
    if employer is None:
        employer = employer_register(
            officer=officer,
            name_th="บริษัท ทดสอบความเร็ว จำกัด",
            name_en="Benchmark Company Ltd",
            tax_id=tax_id,
            province=office.province,
            registered_on=datetime.date(2010, 1, 1),
            responsible_office=office,
        )
    branch = employer.branches.get(number="000000")
    have = Employment.objects.filter(employer=employer).count()
    if have < lines:
        # Persons and their employments by COPY: seconds, not the minutes of 10,000 services.
        rng = random.Random(lines)
        first_th = ["สมชาย", "สมหญิง", "มานะ", "มานี", "ปิติ", "ชูใจ", "วีระ", "สุดา", "ประเสริฐ", "กาญจนา"]
        last_th = ["ใจดี", "รักไทย", "ทองดี", "ศรีสุข", "แก้วมณี", "บุญมา", "สุขใจ", "พงษ์ไทย"]
        with transaction.atomic(), connection.cursor() as cursor:
            taken = set(
                InsuredPerson.objects.filter(national_id__startswith="28").values_list("national_id", flat=True)
            )
            rows = []
            for n in range(have, lines):
                body = f"28{n:010d}"
                national_id = body + pin_check_digit(body)
                if national_id in taken:
                    continue
                sex = "M" if n % 2 else "F"
                rows.append(
                    ("pin", national_id, "003" if sex == "M" else "004", rng.choice(first_th), rng.choice(last_th),
                     f"Person{n}", "Bench", datetime.date(1970 + n % 35, 1 + n % 12, 1 + n % 28), sex, "THA", "",
                     office.province_id, "", office.pk, "active", None, HIRED)
                )  # fmt: skip
            with cursor.copy(
                "COPY registry_insuredperson (id_type, national_id, title, first_name_th, last_name_th, first_name_en,"
                " last_name_en, birth_date, sex, nationality, address, province_id, phone, office_id, status,"
                " died_on, registered_on) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                "INSERT INTO registry_employment (person_id, employer_id, branch_id, started_on, leaving_reason,"
                " monthly_wage, registered_on, late_registration)"
                " SELECT p.id, %s, %s, %s, '', NULL, %s, false FROM registry_insuredperson p"
                " WHERE p.national_id LIKE '28%%' AND NOT EXISTS"
                " (SELECT 1 FROM registry_employment e WHERE e.person_id = p.id AND e.employer_id = %s)",
                [employer.pk, branch.pk, HIRED, HIRED, employer.pk],
            )
            cursor.execute("ANALYZE registry_insuredperson; ANALYZE registry_employment")
    persons = list(
        Employment.objects.filter(employer=employer, ended_on__isnull=True)
        .order_by("person__national_id")
        .values_list(
            "person_id", "person__national_id", "person__title", "person__first_name_th", "person__last_name_th"
        )[:lines]
    )
    say(
        f"employer {employer.account_number} with {len(persons):,} employees; set-up {time.monotonic() - started:.1f} s"
    )
    return officer, employer, persons


def statements_clear(employer):
    """Remove the statements earlier runs filed for the bench employer (so each period can be filed again)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM contributions_statementline WHERE statement_id IN"
            " (SELECT id FROM contributions_statement WHERE employer_id = %s)",
            [employer.pk],
        )
        cursor.execute(
            "DELETE FROM contributions_finding WHERE statement_id IN"
            " (SELECT id FROM contributions_statement WHERE employer_id = %s)",
            [employer.pk],
        )
        cursor.execute("DELETE FROM contributions_statement WHERE employer_id = %s", [employer.pk])


# 1. The upload -----------------------------------------------------------------------------------


def file_for(employer, persons, period, rng):
    from contributions import sso110

    group = sso110.sso110_group(
        account=employer.account_number,
        period=period,
        company_name=employer.name_th,
        persons=[
            (national_id, Decimal(rng.randrange(8_000, 60_000, 10)), title, first, last)
            for _pid, national_id, title, first, last in persons
        ],
    )
    return sso110.sso110_render(group)


def upload_figures(officer, employer, persons, runs: int):
    from contributions import services, sso110
    from sso.core.months import month_add, month_first

    say(f"== upload of an SSO 1-10 file of {len(persons):,} lines through the web request, {runs} runs")
    statements_clear(employer)
    client = Client()
    client.force_login(officer, backend="sso.core.auth.CachedPermissionsBackend")
    this_month = month_first(timezone.localdate())
    rng = random.Random(7)
    times, sizes = [], []
    with mock.patch("contributions.tasks.statement_verify.delay"):
        # Warm up: the first request loads the URLconf, templates and the rate tables.
        client.get("/contributions/statements/upload/")
        for run in range(runs):
            period = month_add(this_month, -(run + 1))
            content = file_for(employer, persons, period, rng)
            sizes.append(len(content))
            upload = SimpleUploadedFile("sso110.txt", content, content_type="text/plain")
            started = time.perf_counter()
            response = client.post("/contributions/statements/upload/", {"file": upload})
            seconds = time.perf_counter() - started
            if response.status_code != 302:
                errors = (response.context or {}).get("errors_shown", [])[:3]
                raise RuntimeError(f"the upload answered {response.status_code}: {errors}")
            times.append(seconds)
            say(f"   run {run + 1}: wage period {period:%m/%Y}, {len(content):,} bytes, {ms(seconds)}")
    from contributions.models import Statement, StatementLine

    filed = Statement.objects.filter(employer=employer).count()
    lines = StatementLine.objects.filter(statement__employer=employer).count()
    say(f"   filed: {filed} statements, {lines:,} lines")
    note(f"upload {len(persons):,}-line file, web request (median of {runs})", ms(statistics.median(times)))
    note("upload, fastest / slowest run", f"{ms(min(times))} / {ms(max(times))}")

    # The parts, in-process, on one more file.
    period = month_add(this_month, -(runs + 1))
    content = file_for(employer, persons, period, rng)
    started = time.perf_counter()
    parsed = sso110.sso110_parse(content)
    note("  of which: reading the file (sso110_parse)", ms(time.perf_counter() - started))
    group = parsed.groups[0]
    branch = employer.branches.get(number=group.branch)
    started = time.perf_counter()
    checked = services.statement_check(
        employer=employer, branch=branch, period=group.period, lines=group.lines, declared=group.declared
    )
    note("  of which: statement_check (registry, rules, totals)", ms(time.perf_counter() - started))
    assert not checked.errors, checked.errors[:3]
    return statistics.median(times)


def verify_figures(employer):
    """The back office's cross-check of one uploaded statement, as the Celery worker runs it
    after the upload has answered (the upload above leaves it to the worker)."""
    from contributions import services
    from contributions.models import Finding, Statement

    statement = Statement.objects.filter(employer=employer).order_by("-received_at").first()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contributions_statementline; ANALYZE contributions_contributionmonth")
    started = time.perf_counter()
    result = services.statement_verify(statement_id=statement.pk)
    seconds = time.perf_counter() - started
    findings = Finding.objects.filter(statement=statement).count()
    note(
        f"back-office cross-check of a {statement.head_count:,}-line statement (worker)",
        f"{ms(seconds)} ({result}, {findings} findings)",
    )


# 2. COPY for the ratio -----------------------------------------------------------------------------


def copy_figures(persons, runs: int):
    from contributions.models import StatementLine

    say(f"== COPY of {len(persons):,} rows into a scratch table shaped like the statement lines")
    table = StatementLine._meta.db_table
    rows = [
        (1, number, person_id, Decimal("15000.00"), Decimal("15000.00"), Decimal("750.00"), Decimal("750.00"))
        for number, (person_id, *_rest) in enumerate(persons, start=1)
    ]
    columns = "statement_id, line_number, person_id, wage, contribution_wage, employee_amount, employer_amount"
    times = []
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_scratch_line")
        cursor.execute(f"CREATE TABLE bench_scratch_line (LIKE {table} INCLUDING ALL)")
        try:
            for _run in range(runs + 1):
                cursor.execute("TRUNCATE bench_scratch_line")
                with transaction.atomic():
                    started = time.perf_counter()
                    with cursor.copy(f"COPY bench_scratch_line ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                times.append(time.perf_counter() - started)
            cursor.execute("SELECT count(*) FROM bench_scratch_line")
            assert cursor.fetchone()[0] == len(rows)
        finally:
            cursor.execute("DROP TABLE IF EXISTS bench_scratch_line")
    times = times[1:]  # the first run warms the table
    note(f"COPY {len(rows):,} indexed rows (median of {runs})", ms(statistics.median(times)))
    return statistics.median(times)


# 3. The contribution-months count ---------------------------------------------------------------------


def months_figures(officer, persons, with_history: int, calls: int):
    from contributions import selectors
    from contributions.models import ContributionMonth, Payment
    from sso.core.months import month_add, month_first

    say(f"== contribution_months_count: {with_history:,} persons with 360 months each, {calls:,} calls")
    chosen = [person_id for person_id, *_rest in persons[:with_history]]
    this_month = month_first(timezone.localdate())
    have = ContributionMonth.objects.filter(person_id__in=chosen).values("person_id").distinct().count()
    if have < len(chosen):
        started = time.monotonic()
        with transaction.atomic():
            payment = Payment.objects.create(
                office_id=officer.office_id,
                kind=Payment.Kind.SECTION39,
                person_id=chosen[0],
                period_from=month_add(this_month, -360),
                period_to=month_add(this_month, -1),
                method=Payment.Method.CASH,
                contribution_amount=0,
                amount=0,
                paid_on=timezone.localdate(),
                posted_by=officer,
                idempotency_key="bench-contribution-months",
            )
            ContributionMonth.objects.filter(person_id__in=chosen).delete()
            months = [month_add(this_month, -n) for n in range(1, 361)]
            with (
                connection.cursor() as cursor,
                cursor.copy(
                    "COPY contributions_contributionmonth (person_id, period, section, employer_id, wage, amount, payment_id)"
                    " FROM STDIN"
                ) as copy,
            ):
                for person_id in chosen:
                    for month in months:
                        copy.write_row(
                            (person_id, month, "33", None, Decimal("15000.00"), Decimal("750.00"), payment.pk)
                        )
            connection.cursor().execute("ANALYZE contributions_contributionmonth")
        say(f"   {len(chosen) * 360:,} months loaded in {time.monotonic() - started:.1f} s")
    total = ContributionMonth.objects.count()
    say(f"   contribution months in the table: {total:,}")
    rng = random.Random(11)
    today = timezone.localdate()
    for window in (15, 360):
        picks = [rng.choice(chosen) for _ in range(calls)]
        for person_id in picks[:50]:  # warm the caches
            selectors.contribution_months_count(person_id, before=today, months=window)
        times = []
        for person_id in picks:
            started = time.perf_counter()
            count = selectors.contribution_months_count(person_id, before=today, months=window)
            times.append(time.perf_counter() - started)
        assert count == window, count
        note(
            f"contribution_months_count, {window}-month window ({calls:,} calls)",
            f"p50 {statistics.median(times) * 1000:.3f} ms, p99 {percentile(times, 99) * 1000:.3f} ms",
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000, help="employees in the file")
    parser.add_argument("--runs", type=int, default=5, help="uploads, each for another wage period")
    parser.add_argument("--calls", type=int, default=1000, help="calls of the contribution-months count")
    parser.add_argument("--history", type=int, default=1000, help="persons given 360 months of history")
    args = parser.parse_args()
    # Pages name their static files without the collectstatic manifest (as in the registry bench).
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    database_create()
    say(f"database {connection.settings_dict['NAME']}, {os.cpu_count()} CPUs (other work on the machine counts)")
    try:
        officer, employer, persons = setup(args.lines)
        upload = upload_figures(officer, employer, persons, args.runs)
        verify_figures(employer)
        copy = copy_figures(persons, args.runs)
        note("ratio upload / COPY", f"{upload / copy:.1f}x")
        months_figures(officer, persons, min(args.history, len(persons)), args.calls)
    finally:
        say("\n== summary")
        width = max((len(what) for what, _ in summary), default=0)
        for what, figure in summary:
            say(f"{what:<{width}}  {figure}")


if __name__ == "__main__":
    main()
