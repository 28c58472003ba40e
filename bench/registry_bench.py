"""Registry benchmark: prints its figures.

    python bench/registry_bench.py [--persons 1000000] [--employers 100000] [--seconds 15]
    QUICK=1 python bench/registry_bench.py      # 100,000 persons, 10,000 employers, 5 s runs

1. Volumes: `demo_data --employers N --persons M` (idempotent; timed when it adds rows).
2. EXPLAIN (ANALYZE, BUFFERS) of the national-ID lookup and of a name search.
3. Name search in-process: `selectors.person_search(q, national supervisor)[:20]` for 500
   random queries (first names, surnames, "first last", partial and English names).
4. gunicorn (gthread) serves the app with one extra bare view (bench/registry_bench_urls.py).
   Sequential requests over one keep-alive connection give p50/p99 (an upper bound on the
   server time); wrk with 32 connections gives the throughput. National IDs are drawn at
   random from 10,000 of existing persons. Lookups: the API
   `GET /api/registry/persons/by-national-id/<id>/` (token), the page
   `GET /registry/search/?q=<id>` (session), and the bare view, one indexed ORM query
   returned as JSON, for the ratio. Then name searches through the page.
5. A bulk registration upload of 10,000 new employees (CSV) for one employer, end to end
   (`registry.bulk`: submit, check, store), timed.
"""

import argparse
import csv
import datetime
import http.client
import io
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
os.environ.setdefault("DEBUG", "1")
# The benchmark's one user makes every call: the API's per-user limits would answer 429.
os.environ.setdefault("API_THROTTLE_USER", "")
os.environ.setdefault("API_THROTTLE_TOKEN", "")
# The server and this script sign sessions with the same key.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from registry import selectors  # noqa: E402
from registry.models import Employer, InsuredPerson  # noqa: E402
from registry.validators import pin_check_digit  # noqa: E402
from sso.core.models import Office  # noqa: E402
from sso.core.tokens import api_token_issue  # noqa: E402

NATIONAL_USER = "hq.national"  # a national supervisor: sees every office's persons
UPLOAD_OFFICE, UPLOAD_USER = "1001", "bkk1.counter"
API = "/api/registry/persons/by-national-id/%s/"
PAGE = "/registry/search/?q=%s"
BARE = "/bench/bare/persons/%s/"
summary = []  # (what, figure)


def say(text=""):
    print(text, flush=True)


def note(what, figure):
    summary.append((what, figure))
    say(f"{what:<58} {figure}")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def ms(values):
    return f"p50 {statistics.median(values) * 1000:.2f} ms, p99 {percentile(values, 99) * 1000:.2f} ms"


# Volumes and samples ----------------------------------------------------------------------


def volumes(employers, persons):
    say("== volumes")
    call_command("migrate", verbosity=0)
    have = InsuredPerson.objects.count()
    started = time.monotonic()
    call_command("demo_data", employers=employers, persons=persons)
    if have < persons:
        note(f"demo_data: {persons - have:,} persons generated in", f"{time.monotonic() - started:.1f} s")
    say(f"persons {InsuredPerson.objects.count():,}, employers {Employer.objects.count():,}")


def sample_persons(count):
    """`count` random existing persons (national ID, names), from a block sample."""
    total = InsuredPerson.objects.count()
    percent = min(100.0, 300.0 * count / max(total, 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT national_id, first_name_th, last_name_th, first_name_en, last_name_en
                FROM registry_insuredperson TABLESAMPLE SYSTEM ({percent:.3f}) REPEATABLE (1)
                WHERE status <> 'merged' ORDER BY random() LIMIT %s""",
            [count],
        )
        return cursor.fetchall()


def name_queries(rows, count, rng):
    """Real first names, surnames, "first last", partial names, English names."""
    queries = []
    makers = [
        lambda r: r[1],
        lambda r: r[2],
        lambda r: f"{r[1]} {r[2]}",
        lambda r: f"{r[1]} {r[2][: max(3, len(r[2]) // 2)]}",
        lambda r: r[2][: max(4, len(r[2]) * 2 // 3)],
        lambda r: f"{r[3]} {r[4]}",
        lambda r: r[4].lower(),
    ]
    for index in range(count):
        row = rows[index % len(rows)]
        queries.append(makers[index % len(makers)](row))
    rng.shuffle(queries)
    return queries


# In-process figures -----------------------------------------------------------------------


def explain(user, national_id, name):
    say("== EXPLAIN (ANALYZE, BUFFERS)")
    lookup = selectors.person_search(national_id, user)
    say(f"-- national ID lookup (person_search('{national_id}'))")
    say(lookup.explain(analyze=True, buffers=True))
    search = selectors.person_search(name, user)[: selectors.SEARCH_PAGE]
    say(f"-- name search (person_search('{name}')[:20])")
    say(search.explain(analyze=True, buffers=True))


def search_in_process(user, queries):
    say(f"== name search in-process: {len(queries)} queries")
    times, found = [], 0
    for query in queries[:20]:  # warm the caches
        list(selectors.person_search(query, user)[: selectors.SEARCH_PAGE])
    for query in queries:
        started = time.perf_counter()
        page = list(selectors.person_search(query, user)[: selectors.SEARCH_PAGE])
        times.append(time.perf_counter() - started)
        found += bool(page)
    note("name search, person_search()[:20] in-process", ms(times))
    note("name search: queries with at least one hit", f"{found}/{len(queries)}")
    slow = sorted(zip(times, queries, strict=True), reverse=True)[:3]
    say("slowest: " + ", ".join(f"{query!r} {seconds * 1000:.0f} ms" for seconds, query in slow))


# HTTP -------------------------------------------------------------------------------------


def credentials():
    user = get_user_model().objects.get(username=NATIONAL_USER)
    token = api_token_issue(user=user).key
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "sso.core.auth.CachedPermissionsBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return user, token, session.session_key


def sequential(port, paths, headers, expect=(200,), follow=False):
    """Client-side latency of each request, one at a time over one keep-alive connection
    (with `follow`, a redirect is followed and both requests count)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times, statuses = [], {}
    for path in paths:
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        if follow and response.status in (301, 302):
            conn.request("GET", response.getheader("Location"), headers=headers)
            response = conn.getresponse()
            response.read()
        times.append(time.perf_counter() - started)
        statuses[response.status] = statuses.get(response.status, 0) + 1
    conn.close()
    if not set(statuses) <= set(expect):
        say(f"   statuses: {statuses}")
    return times


WRK_SCRIPT = """
local ids = {%(ids)s}
local n = 0
function setup(thread)
  n = n + 1
  thread:set("seed", n)
end
function init(args)
  math.randomseed(seed * 7919 + os.time())
  headers = {%(headers)s}
end
function request()
  return wrk.format("GET", string.format("%(pattern)s", ids[math.random(#ids)]), headers)
end
function done(summary, latency, requests)
  io.write(string.format('WRK {"requests": %%d, "seconds": %%f, "errors_status": %%d, "errors_other": %%d, "p50_ms": %%f, "p99_ms": %%f}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk(base, pattern, ids, headers, *, seconds, connections=32, threads=2):
    lua_headers = ", ".join(f'["{key}"] = "{value}"' for key, value in headers.items())
    script = WRK_SCRIPT % {
        "ids": ", ".join(f'"{value}"' for value in ids),
        "headers": lua_headers,
        "pattern": pattern,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s"]
    result = subprocess.run([*command, "-s", handle.name, base], capture_output=True, text=True)
    os.unlink(handle.name)
    line = next((row for row in result.stdout.splitlines() if row.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(line[4:])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def wrk_line(figures):
    errors = figures["errors_status"] + figures["errors_other"]
    return (
        f"{figures['rps']:,.0f} req/s (p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms"
        + (f", {errors} errors" if errors else "")
        + ")"
    )


def server_start(workers, threads):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.registry_bench_settings",
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
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


def http_figures(args, ids, queries, token, session):
    say(f"== HTTP: gunicorn gthread {args.workers}x{args.threads}, wrk {args.connections} connections")
    server, port = server_start(args.workers, args.threads)
    base = f"http://127.0.0.1:{port}"
    api_headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    page_headers = {"Cookie": f"sessionid={session}"}
    try:
        rng = random.Random(3)
        warm = [API % rng.choice(ids) for _ in range(300)]
        sequential(port, warm, api_headers)
        sequential(port, [BARE % rng.choice(ids) for _ in range(300)], {})
        sequential(port, [PAGE % rng.choice(ids) for _ in range(100)], page_headers, follow=True)

        picks = [rng.choice(ids) for _ in range(args.requests)]
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        probe.request("GET", API % picks[0], headers=api_headers)
        response = probe.getresponse()
        api_status = response.status
        response.read()
        probe.close()
        if api_status != 200:
            say(f"   the API answered {api_status} for an existing person: is the endpoint there yet?")
        api_times = sequential(port, [API % nid for nid in picks], api_headers, expect=(api_status,))
        note(f"lookup by national ID, API, {len(picks):,} sequential", ms(api_times))
        # The search page answers an exact national ID with a redirect to the person's page.
        page_times = sequential(port, [PAGE % nid for nid in picks], page_headers, expect=(200, 302))
        note(f"lookup by national ID, search page, {len(picks):,} sequential", ms(page_times))
        followed = picks[:500]
        page_times = sequential(port, [PAGE % nid for nid in followed], page_headers, follow=True)
        note(f"lookup by national ID, search + person page, {len(followed)} seq.", ms(page_times))
        bare_times = sequential(port, [BARE % nid for nid in picks], {})
        note(f"lookup by national ID, bare view, {len(picks):,} sequential", ms(bare_times))

        api = wrk(base, API, ids, api_headers, seconds=args.seconds, connections=args.connections)
        note("wrk: lookup by national ID, API", wrk_line(api))
        page = wrk(base, PAGE, ids, page_headers, seconds=args.seconds, connections=args.connections)
        note("wrk: lookup by national ID, search page", wrk_line(page))
        bare = wrk(base, BARE, ids, {}, seconds=args.seconds, connections=args.connections)
        note("wrk: bare Django view (one ORM lookup)", wrk_line(bare))
        note("ratio API / bare view (throughput)", f"{api['rps'] / bare['rps']:.2f}")
        note("ratio search page / bare view (throughput)", f"{page['rps'] / bare['rps']:.2f}")

        search_paths = [PAGE % urllib.parse.quote(query) for query in queries]
        search_times = sequential(port, search_paths, page_headers)
        note(f"name search, page, {len(search_paths)} sequential", ms(search_times))
    finally:
        server_stop(server)


# Bulk upload ------------------------------------------------------------------------------


def new_national_ids(count, rng):
    """`count` valid PINs (first digit 2, which the generator never uses) not yet registered."""
    found = []
    while len(found) < count:
        batch = []
        for _ in range(count):
            body = f"2{rng.randint(10, 96)}{rng.randrange(10**9):09d}"
            batch.append(body + pin_check_digit(body))
        taken = set(InsuredPerson.objects.filter(national_id__in=batch).values_list("national_id", flat=True))
        found.extend(nid for nid in dict.fromkeys(batch) if nid not in taken)
    return found[:count]


def upload_csv(bulk, rows, count, rng):
    """A 10,000-line SSO 1-03 file of new employees, Thai headers, dates in B.E."""
    out = io.StringIO()
    columns = list(bulk.COLUMNS)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([bulk.HEADERS_TH[column] for column in columns])
    today = datetime.date.today()
    for index, national_id in enumerate(new_national_ids(count, rng)):
        _nid, first_th, last_th, first_en, last_en = rows[index % len(rows)]
        sex = rng.choice("MF")
        birth = datetime.date(rng.randint(1965, 2005), rng.randint(1, 12), rng.randint(1, 28))
        started = today - datetime.timedelta(days=rng.randint(1, 25))
        values = {
            "national_id": national_id,
            "id_type": "",
            "title": "นาย" if sex == "M" else "นางสาว",
            "first_name_th": first_th,
            "last_name_th": last_th,
            "first_name_en": first_en,
            "last_name_en": last_en,
            "birth_date": f"{birth.day:02d}/{birth.month:02d}/{birth.year + 543}",
            "sex": sex,
            "nationality": "THA",
            "branch": "",
            "started_on": f"{started.day:02d}/{started.month:02d}/{started.year + 543}",
            "monthly_wage": str(rng.randint(12, 40) * 1000),
        }
        writer.writerow([values.get(column, "") for column in columns])
    return out.getvalue().encode("utf-8-sig")


def bulk_upload(rows, count):
    say(f"== bulk registration upload: {count:,} new employees")
    try:
        from registry import bulk
    except ImportError:
        note("bulk upload", "SKIPPED: registry/bulk.py is not there yet")
        return
    if not all(hasattr(bulk, name) for name in ("bulk_upload_submit", "bulk_upload_process", "COLUMNS")):
        note("bulk upload", "SKIPPED: registry.bulk has no bulk_upload_submit/bulk_upload_process yet")
        return
    officer = get_user_model().objects.get(username=UPLOAD_USER)
    employer = (
        Employer.objects.filter(responsible_office__code=UPLOAD_OFFICE, status=Employer.Status.ACTIVE)
        .order_by("registered_on")
        .first()
    )
    content = upload_csv(bulk, rows, count, random.Random(time.time_ns()))
    started = time.monotonic()
    # The upload is processed here, in the foreground, not by a Celery worker.
    with mock.patch("registry.tasks.bulk_upload_run.delay"), transaction.atomic():
        upload = bulk.bulk_upload_submit(
            officer=officer, employer=employer, file_name="bench-sso103.csv", content=content
        )
    upload = bulk.bulk_upload_process(upload_id=upload.pk)
    seconds = time.monotonic() - started
    if upload.status != "done":
        note("bulk upload", f"status {upload.status}: {upload.errors[:3]}")
        return
    note(f"bulk upload of {upload.stored_count:,} persons, end to end", f"{seconds:.1f} s")
    note("bulk upload rate", f"{upload.stored_count / seconds:,.0f} lines/s")


def main():
    quick = os.environ.get("QUICK") == "1"
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000 if quick else 1_000_000)
    parser.add_argument("--employers", type=int, default=10_000 if quick else 100_000)
    parser.add_argument("--seconds", type=int, default=5 if quick else 15, help="length of each wrk run")
    parser.add_argument("--requests", type=int, default=500 if quick else 2000, help="sequential requests per path")
    parser.add_argument("--queries", type=int, default=500, help="name searches")
    parser.add_argument("--upload", type=int, default=2000 if quick else 10_000, help="lines of the upload file")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "3")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "3")))
    parser.add_argument(
        "--only", default="explain,search,http,upload", help="parts to run, comma-separated (default: all)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    try:
        run(args)
    finally:
        say("\n== summary")
        width = max((len(what) for what, _ in summary), default=0)
        for what, figure in summary:
            say(f"{what:<{width}}  {figure}")


def run(args):
    volumes(args.employers, args.persons)
    if not Office.objects.exists():
        sys.exit("no offices: demo_data did not run")
    user, token, session = credentials()
    rows = sample_persons(10_000)
    ids = [row[0] for row in rows]
    queries = name_queries(rows, args.queries, random.Random(2))
    parts = set(args.only.split(","))
    if "explain" in parts:
        explain(user, ids[0], f"{rows[1][1]} {rows[1][2]}")
    if "search" in parts:
        search_in_process(user, queries)
    if "http" in parts:
        http_figures(args, ids, queries, token, session)
    if "upload" in parts:
        bulk_upload(rows, args.upload)


if __name__ == "__main__":
    main()
