"""Peak-day load on the contributions API: prints its figures.

    python bench/contributions_load_bench.py [--employers 2000] [--employees 10] [--clients 16]
                                             [--seconds 60] [--rate 0] [--retries 0.05]
    QUICK=1 python bench/contributions_load_bench.py     # 20-second run

Target: sustain 50 statement-plus-payment postings a second through the API on this
machine (2 cores), with nothing lost and nothing posted twice.

1. Its own database (`--database`, default sso_bench_load, on the server of DATABASE_URL):
   created if missing, migrated, the demo offices and users loaded, then `--employers`
   employers of four offices (one branch each) with `--employees` employees each, inserted
   in bulk (idempotent: a second run reuses them).
2. gunicorn (gthread, `--workers` x `--threads`) serves the app with DEBUG off, as the
   other benches do. Each office's counter officer calls with an API token.
3. `--clients` threads, each with one keep-alive connection, post
   `POST /api/contributions/statements/` for `--seconds`: a statement (SSO 1-10) with its
   payment (channel bank, an idempotency key, the exact amount due with any late
   surcharge), for branches and wage periods not yet filed. About `--retries` of the
   postings are sent twice with the same key, the copy right behind the original so that
   the two are in flight together (a bank retrying a notification that timed out).
   `--rate N` paces the postings at N a second; 0 (the default) sends as fast as the
   clients go, which measures the capacity.
4. Figures: postings a second, p50/p99 latency, answers by status; then the database is
   checked: statements == distinct keys answered, one payment per statement (none twice),
   every key answered 201 exactly once, receipt numbers unbroken per office and year,
   contribution months == statement lines.

The Celery worker is not needed: the back-office cross-check each statement and payment
enqueue on commit just waits in Redis (on its own queue, emptied at the end).
"""

import argparse
import datetime
import http.client
import json
import os
import queue
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
os.environ.setdefault("DEBUG", "1")
# The benchmark's one user makes every call: the API's per-user limits would answer 429.
os.environ.setdefault("API_THROTTLE_USER", "")
os.environ.setdefault("API_THROTTLE_TOKEN", "")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sso")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
QUEUE = "bench-contributions-load"
os.environ["CELERY_QUEUE"] = QUEUE  # the server's on-commit tasks wait here, apart from the real queue

QUICK = os.environ.get("QUICK") == "1"


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="sso_bench_load", help="database of its own (created if missing)")
    parser.add_argument("--employers", type=int, default=2000)
    parser.add_argument("--employees", type=int, default=10, help="employees of each employer (lines a statement)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent API clients")
    parser.add_argument("--seconds", type=int, default=20 if QUICK else 60)
    parser.add_argument("--rate", type=float, default=0, help="postings a second to pace at; 0: as fast as possible")
    parser.add_argument("--retries", type=float, default=0.05, help="share of postings sent twice with the same key")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "3")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "4")))
    return parser.parse_args()


ARGS = _arguments()


def _database_create(name: str) -> None:
    import psycopg

    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    admin = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


_database_create(ARGS.database)
os.environ["DATABASE_NAME"] = ARGS.database  # this script and the server it starts

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402
from django.utils import timezone  # noqa: E402

from contributions import rules  # noqa: E402
from contributions.models import ContributionMonth, Payment, Receipt, ReceiptSeries, Statement, StatementLine  # noqa: E402
from registry.models import Branch, Employer, Employment, InsuredPerson  # noqa: E402
from registry.validators import pin_check_digit  # noqa: E402
from sso.core.models import Office  # noqa: E402
from sso.core.months import month_add, month_first  # noqa: E402
from sso.core.tokens import api_token_issue  # noqa: E402

OFFICES = {"1001": "bkk1", "1004": "bkk4", "5000": "cmi", "4000": "kkn"}  # office code: demo user prefix
ACCOUNT_PREFIX = "97"  # bench employers' account numbers: 97 + 8 digits
PERIODS_BACK = 36  # wage periods a branch can be filed for: this month and the 35 before
STARTED = datetime.date(2020, 1, 1)


def say(text=""):
    print(text, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] if ordered else 0.0


def wage_of(employer_index: int, employee_index: int) -> Decimal:
    # Under the lowest ceiling (15,000) and above the floor: every period computes the same way.
    return Decimal(9000 + ((employer_index * 7 + employee_index * 3) % 6) * 1000)


def national_id_of(employer_index: int, employee_index: int) -> str:
    body = f"8{employer_index * 100 + employee_index:011d}"
    return body + pin_check_digit(body)


# Volumes ----------------------------------------------------------------------------------


def volumes(employers: int, employees: int) -> None:
    say("== volumes")
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    from sso.core import demo

    demo.seed()  # offices, roles, the demo users
    say(f"migrate and demo offices/users: {time.monotonic() - started:.1f} s")
    offices = [Office.objects.get(code=code) for code in OFFICES]
    have = Employer.objects.filter(account_number__startswith=ACCOUNT_PREFIX).count()
    if have >= employers:
        say(f"bench employers already there: {have:,}")
        return
    started = time.monotonic()
    new = range(have, employers)
    Employer.objects.bulk_create(
        Employer(
            account_number=f"{ACCOUNT_PREFIX}{index:08d}",
            tax_id=f"0999{index:09d}",
            name_th=f"บริษัท โหลดทดสอบ {index} จำกัด",
            name_en=f"Load Test {index} Co., Ltd.",
            province_id=offices[index % len(offices)].province_id,
            responsible_office=offices[index % len(offices)],
            registered_on=datetime.date(2015, 1, 1),
        )
        for index in new
    )
    by_account = dict(
        Employer.objects.filter(account_number__startswith=ACCOUNT_PREFIX).values_list("account_number", "id")
    )
    Branch.objects.bulk_create(
        Branch(
            employer_id=by_account[f"{ACCOUNT_PREFIX}{index:08d}"],
            number=Branch.HEAD_OFFICE,
            name="สำนักงานใหญ่",
            province_id=offices[index % len(offices)].province_id,
        )
        for index in new
    )
    branches = dict(
        Branch.objects.filter(employer__account_number__startswith=ACCOUNT_PREFIX).values_list("employer_id", "id")
    )
    persons = [
        InsuredPerson(
            national_id=national_id_of(index, n),
            title="003",
            first_name_th=f"พนักงาน{n}",
            last_name_th=f"โหลด{index}",
            first_name_en=f"Worker{n}",
            last_name_en=f"Load{index}",
            birth_date=datetime.date(1985 + n % 15, 1 + n % 12, 1),
            sex="M",
            office=offices[index % len(offices)],
            registered_on=STARTED,
        )
        for index in new
        for n in range(employees)
    ]
    InsuredPerson.objects.bulk_create(persons, batch_size=5000)
    ids = dict(
        InsuredPerson.objects.filter(national_id__in=[p.national_id for p in persons]).values_list("national_id", "id")
    )
    Employment.objects.bulk_create(
        (
            Employment(
                person_id=ids[national_id_of(index, n)],
                employer_id=by_account[f"{ACCOUNT_PREFIX}{index:08d}"],
                branch_id=branches[by_account[f"{ACCOUNT_PREFIX}{index:08d}"]],
                started_on=STARTED,
                registered_on=STARTED,
                monthly_wage=wage_of(index, n),
            )
            for index in new
            for n in range(employees)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(f"generated {len(new):,} employers, {len(persons):,} employees in {time.monotonic() - started:.1f} s")


# The work ---------------------------------------------------------------------------------


def tokens() -> dict[int, str]:
    """Office id: the API token of that office's counter officer."""
    User = get_user_model()
    found = {}
    for code, prefix in OFFICES.items():
        user = User.objects.get(username=f"{prefix}.counter")
        found[Office.objects.get(code=code).pk] = api_token_issue(user=user).key
    return found


def jobs_make(employers: int, employees: int, wanted: int, retries: float, rng) -> list[dict]:
    """Statement-plus-payment posts for branches and periods not yet filed, with their
    amounts; some followed at once by a copy with the same idempotency key."""
    today = timezone.localdate()
    current = month_first(today)
    periods = [month_add(current, -back) for back in range(PERIODS_BACK)]
    rates = {period: rules.rate_for(period) for period in periods}
    rows = list(
        Employer.objects.filter(account_number__startswith=ACCOUNT_PREFIX)
        .order_by("account_number")
        .values_list("id", "account_number", "responsible_office_id")[:employers]
    )
    filed = set(
        Statement.objects.filter(employer__account_number__startswith=ACCOUNT_PREFIX)
        .exclude(status=Statement.Status.VOID)
        .values_list("employer_id", "period")
    )
    free = [(row, period) for period in periods for row in rows if (row[0], period) not in filed]
    rng.shuffle(free)
    run = f"{time.time_ns():x}"
    jobs = []
    for number, ((_employer_id, account, office_id), period) in enumerate(free[:wanted]):
        index = int(account[len(ACCOUNT_PREFIX) :])
        lines, total = [], Decimal("0.00")
        for n in range(employees):
            wage = wage_of(index, n)
            amounts = rules.line_compute(wage, rates[period])
            total += amounts.employee + amounts.employer
            lines.append(
                {"national_id": national_id_of(index, n), "wage": str(wage), "contribution": str(amounts.employee)}
            )
        due = total + rules.surcharge_compute(period, total, today).amount
        key = f"bench-{run}-{number}"
        body = {
            "employer_account": account,
            "branch": Branch.HEAD_OFFICE,
            "period": f"{period:%Y-%m}",
            "lines": lines,
            "totals": {"head_count": employees},
            "payment": {
                "amount": str(due),
                "method": "transfer",
                "reference": f"TRF{number:08d}",
                "channel": "bank",
                "paid_on": str(today),
            },
        }
        job = {"key": key, "office": office_id, "body": json.dumps(body), "retry": False}
        jobs.append(job)
        if rng.random() < retries:
            jobs.append(job | {"retry": True})
    return jobs


class Client(threading.Thread):
    """One API client: a keep-alive connection, posting the jobs it takes from the queue."""

    def __init__(self, port, tokens_by_office, work, results, deadline, pace):
        super().__init__(daemon=True)
        self.port, self.tokens, self.work, self.results = port, tokens_by_office, work, results
        self.deadline, self.pace = deadline, pace
        self.conn = None

    def connect(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def run(self):
        self.connect()
        while time.monotonic() < self.deadline:
            try:
                index, job = self.work.get_nowait()
            except queue.Empty:
                return
            if self.pace is not None:
                wait = self.pace(index) - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            headers = {
                "Authorization": f"Token {self.tokens[job['office']]}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Idempotency-Key": job["key"],
            }
            started = time.perf_counter()
            try:
                self.conn.request("POST", "/api/contributions/statements/", body=job["body"], headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status, payload = f"{type(exc).__name__}", b""
                self.conn.close()
                self.connect()
            took = time.perf_counter() - started
            answer = {}
            if status in (200, 201):
                data = json.loads(payload)
                answer = {"statement": data["statement"]["id"], "payment": data["payment"]["id"]}
            elif isinstance(status, int):
                answer = {"body": payload[:300].decode(errors="replace")}
            self.results.append({"job": job, "status": status, "took": took, "at": time.monotonic()} | answer)
        self.conn.close()


def server_start(workers, threads):
    port = free_port()
    env = {**os.environ, "DEBUG": "0", "HTTPS": "0", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sso.wsgi", "-k", "gthread", "-w", str(workers), "--threads",
         str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "512"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited at start") from None
            time.sleep(0.2)
    return server, port


def server_stop(server):
    server.terminate()
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(5)


def warm(port, tokens_by_office):
    """Each worker's first requests load the code and the token cache: not counted."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(ARGS.workers * ARGS.threads * 2):
        for token in tokens_by_office.values():
            conn.request(
                "GET", "/api/contributions/statements/?status=void", headers={"Authorization": f"Token {token}"}
            )
            conn.getresponse().read()
    conn.close()


# Checks -----------------------------------------------------------------------------------


def verify(results, since):
    say("== database checks")
    ok = [r for r in results if r["status"] in (200, 201)]
    keys_ok = {r["job"]["key"] for r in ok}
    created = [r for r in results if r["status"] == 201]
    created_per_key = {}
    for r in created:
        created_per_key[r["job"]["key"]] = created_per_key.get(r["job"]["key"], 0) + 1
    all_keys = {r["job"]["key"] for r in results}
    payments = Payment.objects.filter(idempotency_key__in=all_keys)
    statement_ids = set(payments.values_list("statement_id", flat=True))
    statements = Statement.objects.filter(
        source="api", received_at__gte=since, employer__account_number__startswith=ACCOUNT_PREFIX
    )
    stored_keys = set(payments.values_list("idempotency_key", flat=True))
    lost = keys_ok - stored_keys
    errors_stored = (all_keys - keys_ok) & stored_keys
    twice = (
        Payment.objects.filter(statement__in=statements).values("statement_id").annotate(n=Count("id")).filter(n__gt=1)
    )
    answered_same = all(
        len({(r["statement"], r["payment"]) for r in ok if r["job"]["key"] == key}) == 1
        for key in {r["job"]["key"] for r in ok if r["job"]["retry"]}
    )
    lines = StatementLine.objects.filter(statement__in=statements).count()
    months = ContributionMonth.objects.filter(payment__statement__in=statements).count()
    checks = [
        (
            "statements stored in the run",
            statements.count(),
            f"== distinct keys answered 2xx ({len(keys_ok):,})",
            statements.count() == len(keys_ok | errors_stored),
        ),
        (
            "payments of those statements",
            payments.count(),
            f"== statements ({statements.count():,})",
            payments.count() == statements.count() and statement_ids == set(statements.values_list("id", flat=True)),
        ),
        ("statements paid twice", twice.count(), "== 0", twice.count() == 0),
        (
            "keys answered 201 more than once",
            sum(1 for n in created_per_key.values() if n > 1),
            "== 0",
            all(n == 1 for n in created_per_key.values()),
        ),
        ("keys answered 2xx but not stored (lost)", len(lost), "== 0", not lost),
        ("retried keys answered with the same payment", "yes" if answered_same else "NO", "", answered_same),
        ("contribution months", months, f"== statement lines ({lines:,})", months == lines),
    ]
    if errors_stored:
        say(f"   {len(errors_stored)} keys stored although their answer was an error (a timeout after commit)")
    broken = []
    for office_id, year, low, high, count in Receipt.objects.values_list("office_id", "year").annotate(
        Min("number"), Max("number"), Count("id")
    ):
        last = ReceiptSeries.objects.get(office_id=office_id, year=year).last_number
        if not (low == 1 and high == count == last):
            broken.append((office_id, year, low, high, count, last))
    series = Receipt.objects.values("office_id", "year").distinct().count()
    checks.append(("receipt series with a gap or a repeat", len(broken), f"== 0 (of {series})", not broken))
    for what, figure, target, passed in checks:  # fmt: skip
        say(f"{what:<46} {figure!s:>8}  {target:<36} {'ok' if passed else 'FAILED'}")
    if broken:
        say(f"   broken series (office, year, min, max, count, last): {broken[:5]}")
    return all(passed for *_, passed in checks)


def main():
    say(f"database {ARGS.database}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
    volumes(ARGS.employers, ARGS.employees)
    tokens_by_office = tokens()
    rng = random.Random(7)
    ceiling = ARGS.rate * ARGS.seconds if ARGS.rate else 150 * ARGS.seconds
    jobs = jobs_make(ARGS.employers, ARGS.employees, int(ceiling * 1.1) + 100, ARGS.retries, rng)
    say(f"prepared {len(jobs):,} posts ({sum(j['retry'] for j in jobs):,} of them retries) of {ARGS.employees} lines")
    if len(jobs) < 100:
        sys.exit("too few branches and periods left to file: use another --database or more --employers")

    server, port = server_start(ARGS.workers, ARGS.threads)
    try:
        warm(port, tokens_by_office)
        say(f"== posting: {ARGS.clients} clients, gunicorn gthread {ARGS.workers}x{ARGS.threads}, {ARGS.seconds} s"
            + (f", paced at {ARGS.rate:g}/s" if ARGS.rate else ", unpaced"))  # fmt: skip
        work = queue.Queue()
        for index, job in enumerate(jobs):
            work.put((index, job))
        results = []
        since = timezone.now()
        started = time.monotonic()
        deadline = started + ARGS.seconds
        pace = (lambda index: started + index / ARGS.rate) if ARGS.rate else None
        clients = [Client(port, tokens_by_office, work, results, deadline, pace) for _ in range(ARGS.clients)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
    finally:
        server_stop(server)
        from sso.core.redis import redis_client

        redis_client().delete(QUEUE)

    statuses = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    created = [r for r in results if r["status"] == 201]
    replays = [r for r in results if r["status"] == 200]
    ok_times = [r["took"] for r in results if r["status"] in (200, 201)]
    span = max((r["at"] for r in results), default=started) - started
    rate = len(created) / span if span else 0
    say("== figures")
    say(f"requests sent              {len(results):,} in {elapsed:.1f} s; answers by status {statuses}")
    say(f"postings stored (201)      {len(created):,}: {rate:.1f} postings/s (target >= 50)")
    say(f"retries answered 200       {len(replays):,} (of {sum(r['job']['retry'] for r in results):,} retries sent)")
    say(f"all requests               {len(results) / span if span else 0:.1f} req/s")
    if ok_times:
        say(f"latency (2xx)              p50 {statistics.median(ok_times) * 1000:.0f} ms, "
            f"p99 {percentile(ok_times, 99) * 1000:.0f} ms, max {max(ok_times) * 1000:.0f} ms")  # fmt: skip
    if created:
        times = [r["took"] for r in created]
        say(
            f"latency (201)              p50 {statistics.median(times) * 1000:.0f} ms, p99 {percentile(times, 99) * 1000:.0f} ms"
        )
    errors = [r for r in results if r["status"] not in (200, 201)]
    say(f"errors                     {len(errors)}")
    for r in errors[:5]:
        say(f"   {r['status']}: {r.get('body', '')[:200]}")
    windows = {}
    for r in created:
        windows[int((r["at"] - started) // 5)] = windows.get(int((r["at"] - started) // 5), 0) + 1
    say("postings/s per 5 s window  " + ", ".join(f"{windows.get(w, 0) / 5:.0f}" for w in range(int(span // 5) + 1)))
    passed = verify(results, since)
    say(f"== result: {rate:.1f} postings/s, {'nothing lost or posted twice' if passed else 'CHECKS FAILED'}; "
        f"load average now {os.getloadavg()[0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
