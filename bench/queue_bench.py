"""Walk-in queue benchmark: prints its figures.

    python bench/queue_bench.py [--calls 200000] [--history 2000000] [--offices 50]
    python bench/queue_bench.py --phones 300 [--phones-rounds 2] [--phones-seconds 20]

With --phones, only call-next is measured, without and with one office's phones polling
their tickets' page (bench/phone_load.py), A/B alternating (see phones_ab).

1. Volumes: `demo_data --offices 50 --queue-history 2000000` (idempotent).
2. One office gets 16 counters serving one service, 16 signed-in officers with API tokens
   and `--calls` waiting tickets for today (loaded with COPY).
3. uWSGI serves the app as the README's production command does (2 processes x 8 threads;
   `--server gunicorn` for gthread instead); wrk drives 16 connections, one per counter, each calling
   `POST /api/queue/counters/<id>/call-next/` with close_current=no_show (finish and call
   next) until the office's queue is empty: the busy day. A board client listens to the
   server-sent events the whole time and measures how late each call reaches it, and the
   queue tables are vacuumed every 30 s as the beat's queue_tables_vacuum does in production.
   Then the latency at the target load: the same counters calling at a steady 500 calls a
   second in all (`--paced-rate`), each on its own schedule, for 20 s.
4. The database is checked for double calls; the call log gives the rate per window.
5. Ticket issue: wrk, 16 kiosks `POST /api/queue/issue/`, first paced at a ticket every 0.5 s
   each (the latency a kiosk sees at a busy peak), then flat out (the rate).
6. The bare SQL of a SKIP LOCKED call-next with pgbench, 16 clients, for the ratio.
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
os.environ.setdefault("DEBUG", "1")
# The server and this script sign sessions with the same key (the board client's session).
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from queueing import events  # noqa: E402
from queueing.demo import _copy  # noqa: E402
from queueing.models import Counter, Service, Ticket, TicketCall  # noqa: E402
from queueing.services import counter_sign_in, office_queue_setup, queue_day_close  # noqa: E402
from sso.core.models import Office  # noqa: E402
from sso.core.tokens import api_token_issue  # noqa: E402

COUNTERS = 16


class Vacuumer(threading.Thread):
    """What the beat's queue_tables_vacuum task does in production, every 30 s."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.took = []

    def run(self):
        from queueing.services import queue_tables_vacuum

        try:
            while not self.stop.wait(30):
                started = time.perf_counter()
                queue_tables_vacuum()
                self.took.append(time.perf_counter() - started)
        finally:
            connection.close()


CALL_OFFICE, SQL_OFFICE = "1001", "5000"


def say(text):
    print(text, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def officers_for(office, count, prefix):
    User = get_user_model()
    group = Group.objects.get(name="counter_officer")
    users = []
    for n in range(1, count + 1):
        user, _ = User.objects.get_or_create(username=f"{prefix}{n:02d}", defaults={"office": office})
        user.groups.add(group)
        users.append(user)
    return users


def waiting_load(office, service, count):
    """`count` waiting tickets for today in `service`, numbered after what exists (COPY)."""
    today = timezone.localdate()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(MAX(number), 0) FROM queueing_ticket WHERE office_id=%s AND service_day=%s AND prefix=%s",
            [office.pk, today, service.prefix],
        )
        start = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM queueing_visit")
        visit0 = cursor.fetchone()[0] + 1
        visits = [(visit0 + i, office.pk, now - datetime.timedelta(seconds=count - i)) for i in range(count)]
        _copy(cursor, "queueing_visit (id, office_id, started_at)", visits)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('queueing_visit', 'id'), (SELECT MAX(id) FROM queueing_visit))"
        )
        rows = [
            (office.pk, service.pk, visit0 + i, today, service.prefix, start + i + 1, "employer", "", 1, "waiting", "",
             visits[i][2], visits[i][2], 0)
            for i in range(count)
        ]  # fmt: skip
        _copy(
            cursor,
            "queueing_ticket (office_id, service_id, visit_id, service_day, prefix, number, customer_kind, customer_ref,"
            " priority, status, outcome, queued_at, issued_at, call_count)",
            rows,
        )
        cursor.execute(
            """INSERT INTO queueing_ticketsequence (office_id, service_day, prefix, last_number) VALUES (%s, %s, %s, %s)
               ON CONFLICT (office_id, service_day, prefix) DO UPDATE SET last_number = EXCLUDED.last_number""",
            [office.pk, today, service.prefix, start + count],
        )
        cursor.execute("ANALYZE queueing_ticket")


def prepare(calls):
    office = Office.objects.get(code=CALL_OFFICE)
    queue_day_close(office_id=office.pk, before_day=timezone.localdate() + datetime.timedelta(days=1))
    office_queue_setup(office=office, counters=COUNTERS)
    service = Service.objects.get(office=office, kind="contribution")
    counters = list(Counter.objects.filter(office=office).order_by("number")[:COUNTERS])
    officers = officers_for(office, COUNTERS, "bench.call")
    Counter.objects.filter(officer__in=officers).update(officer=None)
    for counter, officer in zip(counters, officers, strict=True):
        counter.services.set([service])
        Counter.objects.filter(pk=counter.pk).update(officer=None)
        counter.refresh_from_db()
        counter_sign_in(counter=counter, officer=officer)
    waiting_load(office, service, calls)
    tokens = [api_token_issue(user=officer).key for officer in officers]
    # Ticket issue: 16 kiosks in 16 other offices at once (numbers are per office and prefix,
    # so kiosks of one office wait for each other only on the same service letter).
    issuers = []
    for other in Office.objects.exclude(pk=office.pk).order_by("code")[:COUNTERS]:
        issuer = officers_for(other, 1, f"bench.issue.{other.code}.")[0]
        issue_service = Service.objects.get(office=other, kind="contribution")
        issuers.append((api_token_issue(user=issuer).key, issue_service.pk))
    supervisor = get_user_model().objects.get(username="bkk1.supervisor")
    session = SessionStore()
    session["_auth_user_id"] = str(supervisor.pk)
    session["_auth_user_backend"] = "sso.core.auth.CachedPermissionsBackend"
    session["_auth_user_hash"] = supervisor.get_session_auth_hash()
    session.create()
    return {
        "office": office,
        "counters": [c.pk for c in counters],
        "tokens": tokens,
        "issuers": issuers,
        "session": session.session_key,
    }


# Each wrk script ends by printing its figures as one JSON line.
WRK_DONE = """
function done(summary, latency, requests)
  io.write(string.format('WRK {"requests": %d, "seconds": %f, "errors_status": %d, "p50_ms": %f, "p99_ms": %f, "max_ms": %f}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""

# Thread i of wrk drives counter (or kiosk) i: its Lua state gets `id` = i.
WRK_THREAD_ID = """
local n = 0
function setup(thread)
  n = n + 1
  thread:set("id", n)
end
"""

WRK_CALL = """
local paths = {%(paths)s}
local tokens = {%(tokens)s}
function init(args)
  path = paths[id]
  headers = {["Authorization"] = "Token " .. tokens[id], ["Content-Type"] = "application/json"}
  body = '{"close_current": "no_show"}'
  empty = 0
end
function request()
  return wrk.format("POST", path, headers, body)
end
function response(status, hdrs, text)
  if status == 409 and string.find(text, '"empty"') then
    empty = empty + 1
    if empty > 2 then wrk.thread:stop() end
  end
end
"""

WRK_ISSUE = """
local tokens = {%(tokens)s}
local services = {%(services)s}
function init(args)
  -- fewer offices than kiosks (a small --offices): kiosks share the offices in turn
  local k = (id - 1) %% #tokens + 1
  headers = {["Authorization"] = "Token " .. tokens[k], ["Content-Type"] = "application/json"}
  body = '{"service": ' .. services[k] .. ', "customer_kind": "insured", "customer_ref": "1101700230708"}'
end
function request()
  return wrk.format("POST", "/api/queue/issue/", headers, body)
end
"""


# A steady rate for each wrk thread (one counter): a request every `interval_ms` on the
# monotonic clock (LuaJIT's ffi), starting at a random offset; a counter that fell behind
# (a slow answer) catches up at most 4 requests, as an officer would not call 10 at once.
WRK_PACE = """
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } pace_timespec; int clock_gettime(int clock, pace_timespec *tp); ]]
local pace_ts = ffi.new("pace_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, pace_ts)
  return tonumber(pace_ts.tv_sec) * 1000 + tonumber(pace_ts.tv_nsec) / 1e6
end
local interval = %(interval_ms)f
local next_at = nil
function delay()
  local now = now_ms()
  if next_at == nil then next_at = now + math.random() * interval end
  if next_at < now - 4 * interval then next_at = now - 4 * interval end
  local wait = next_at - now
  next_at = next_at + interval
  if wait < 0 then return 0 end
  return math.floor(wait)
end
"""


def server_command(args, port):
    """The production server (README): uWSGI speaking HTTP in its workers, processes x threads,
    the app loaded once in the master and forked; or gunicorn gthread for comparison."""
    if args.server == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "sso.wsgi", "-k", "gthread", "-w", str(args.workers), "--threads",
                str(args.threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "256"]  # fmt: skip
    return [str(Path(sys.executable).parent / "uwsgi"), "--http-socket", f"127.0.0.1:{port}", "--module",
            "sso.wsgi:application", "--master", "--processes", str(args.workers), "--threads", str(args.threads),
            "--single-interpreter", "--die-on-term", "--need-app", "--disable-logging", "--listen", "256"]  # fmt: skip


def wrk(script, url, *, threads, connections, seconds, until=None):
    """Run wrk with a Lua script; with `until`, stop it (SIGINT: wrk still prints its
    figures) as soon as until() is true, checked each second, instead of after `seconds`."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    args = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s"]
    process = subprocess.Popen(
        [*args, "-s", handle.name, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if until is not None:
        while process.poll() is None:
            time.sleep(1)
            if until():
                process.send_signal(signal.SIGINT)
                break
    stdout, stderr = process.communicate()
    line = next((row for row in stdout.splitlines() if row.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{stdout}\n{stderr}")
    return json.loads(line[4:])


class BoardListener(threading.Thread):
    """A display board: reads the server-sent events and notes how late each call arrives."""

    def __init__(self, base, session, office_id):
        super().__init__(daemon=True)
        self.url = f"{base}/queue/board/events/?office={CALL_OFFICE}"
        # Start from the newest event: only calls made from now on are timed; a reconnect
        # (the server ends each stream after a few minutes) resumes from the last one seen.
        self.last = events.last_event_id(office_id)
        self.session = session
        self.delays = []
        self.stop = False

    def run(self):
        while not self.stop:
            request = urllib.request.Request(
                self.url, headers={"Cookie": f"sessionid={self.session}", "Last-Event-ID": str(self.last)}
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as stream:
                    for raw in stream:
                        if self.stop:
                            return
                        line = raw.decode()
                        if line.startswith("data: "):
                            event = json.loads(line[6:])
                            self.last = event["id"]
                            at = datetime.datetime.fromisoformat(event["at"])
                            self.delays.append((timezone.now() - at).total_seconds())
            except OSError:
                time.sleep(0.2)


def windows(office_id, since, until, size):
    """Calls per second in each run of `size` consecutive calls, in call order."""
    rows = list(
        TicketCall.objects.filter(counter__office_id=office_id, called_at__gte=since, called_at__lt=until)
        .order_by("id")
        .values_list("called_at", flat=True)
    )
    out = []
    for start in range(0, len(rows) - size + 1, size):
        chunk = rows[start : start + size]
        seconds = (chunk[-1] - chunk[0]).total_seconds() or 1e-9
        out.append(round((size - 1) / seconds))
    return out


def pgbench_bare_sql(seconds=10, waiting=100_000):
    office = Office.objects.get(code=SQL_OFFICE)
    service = Service.objects.get(office=office, kind="contribution")
    queue_day_close(office_id=office.pk, before_day=timezone.localdate() + datetime.timedelta(days=1))
    waiting_load(office, service, waiting)
    sql = (
        "WITH next AS (SELECT t.id FROM queueing_ticket t WHERE t.office_id = %d AND t.status = 'waiting' "
        "AND t.service_day = CURRENT_DATE AND t.service_id = ANY(ARRAY[%d]) ORDER BY t.priority, t.queued_at, t.id "
        "LIMIT 1 FOR UPDATE SKIP LOCKED) UPDATE queueing_ticket t SET status = 'called', called_at = now(), "
        "call_count = t.call_count + 1 FROM next WHERE t.id = next.id RETURNING t.id;\n"
    ) % (office.pk, service.pk)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(sql)
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    args = ["pgbench", "-n", "-c", "16", "-j", "2", "-T", str(seconds), "-f", handle.name, "-U", settings["USER"]]
    args += ["-h", settings["HOST"] or "localhost"]
    if settings.get("PORT"):
        args += ["-p", str(settings["PORT"])]
    args.append(settings["NAME"])
    out = subprocess.run(args, capture_output=True, text=True, env=env).stdout
    tps = next((line for line in out.splitlines() if line.startswith("tps")), "tps = 0")
    queue_day_close(office_id=office.pk, before_day=timezone.localdate() + datetime.timedelta(days=1))
    return float(tps.split("=")[1].split()[0])


# --compare: the same calls and tickets by the production path (the fast path ahead of
# Django), a plain Django view and the DRF view (bench/queue_bench_urls.py).
COMPARED = {
    "fast": ("/api/queue/counters/%d/call-next/", "/api/queue/issue/"),
    "plain": ("/bench/plain/counters/%d/call-next/", "/bench/plain/issue/"),
    "drf": ("/bench/drf/counters/%d/call-next/", "/bench/drf/issue/"),
}


def server_cpu_seconds(pid) -> float:
    """CPU time (user + system) of the server process `pid` and its workers so far."""
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    total = 0
    for one in pids:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def compare(args, base, setup, server):
    """Each way in turn, back to back, in a rotating order over `--rounds` rounds (a shared
    machine's load drifts): call-next with 16 counters flat out for `--compare` seconds,
    then 16 kiosks issuing flat out for half that. Prints per run the rate, the latency and
    the server's CPU time per request, which other processes' load disturbs the least."""
    office_id = setup["office"].pk
    service = Service.objects.get(office_id=office_id, kind="contribution")
    tokens = ", ".join(f'"{key}"' for key in setup["tokens"])
    today = timezone.localdate()
    issue_script = WRK_ISSUE % {
        "tokens": ", ".join(f'"{token}"' for token, _ in setup["issuers"]),
        "services": ", ".join(str(service) for _, service in setup["issuers"]),
    }
    from queueing.selectors import service_averages_refresh

    service_averages_refresh()

    def call_script(way):
        paths = ", ".join(f'"{COMPARED[way][0] % pk}"' for pk in setup["counters"])
        return WRK_THREAD_ID + WRK_CALL % {"paths": paths, "tokens": tokens} + WRK_DONE

    def issue(way):
        return WRK_THREAD_ID + issue_script.replace('"/api/queue/issue/"', f'"{COMPARED[way][1]}"') + WRK_DONE

    waiting_load(setup["office"], service, 2_000 * len(COMPARED))
    for way in COMPARED:  # warm every path of every thread
        wrk(call_script(way), base, threads=COUNTERS, connections=COUNTERS, seconds=2)
        wrk(issue(way), base, threads=COUNTERS, connections=COUNTERS, seconds=1)

    def run(kind, way, script, seconds):
        cpu = server_cpu_seconds(server.pid)
        result = wrk(script, base, threads=COUNTERS, connections=COUNTERS, seconds=seconds)
        cpu = server_cpu_seconds(server.pid) - cpu
        rate = result["requests"] / result["seconds"]
        figures.setdefault((kind, way), []).append((rate, result["p99_ms"], 1000 * cpu / max(result["requests"], 1)))
        say(f"{kind:9} {way:5}  {rate:6,.0f}/s, p50 {result['p50_ms']:5.1f} ms, p99 {result['p99_ms']:6.1f} ms, "
            f"max {result['max_ms']:6.1f} ms, server CPU {figures[kind, way][-1][2]:.2f} ms a request, "
            f"non-2xx {result['errors_status']}")  # fmt: skip

    figures = {}
    order = list(COMPARED)
    for round_ in range(1, args.rounds + 1):
        say(f"== round {round_}: call-next ({COUNTERS} counters) for {args.compare} s, then ticket issue "
            f"({COUNTERS} kiosks) for {args.compare // 2} s, flat out, each way")  # fmt: skip
        for way in order:
            queue_day_close(office_id=office_id, before_day=today + datetime.timedelta(days=1))
            waiting_load(setup["office"], service, 1_500 * args.compare)
            run("call-next", way, call_script(way), args.compare)
        for way in [] if args.calls_only else order:
            run("issue", way, issue(way), args.compare // 2)
        order = order[1:] + order[:1]
    say("== medians over the rounds")
    for (kind, way), runs in figures.items():
        rate, p99, cpu = (statistics.median(column) for column in zip(*runs, strict=True))
        say(f"{kind:9} {way:5}  {rate:6,.0f}/s, p99 {p99:6.1f} ms, server CPU {cpu:.2f} ms a request")
    queue_day_close(office_id=office_id, before_day=today + datetime.timedelta(days=1))


def phones_ab(args, base, setup, server):
    """Call-next with and without one office's `--phones` phone pages polling (bench/phone_load.py,
    as the page does), A/B alternating over `--phones-rounds` rounds: the 16 counters call flat
    out for `--phones-seconds` each run. The phones follow tickets of another service of the
    calling office (its counters serve contribution only: those tickets keep their places), so
    every call makes the phones' state stale and the state is rebuilt as often as it may be."""
    from queueing import devices, phone
    from queueing.services import ticket_issue

    office = setup["office"]
    service = Service.objects.get(office=office, kind="contribution")
    # The phones' office: the calling one (its state made stale by every call), or another
    # (--phones-office: the phones' own cost, their office's queue as deep as they are).
    phones_office = Office.objects.get(code=args.phones_office or CALL_OFFICE)
    if phones_office != office:
        office_queue_setup(office=phones_office)
    followed = (
        Service.objects.filter(office=phones_office, is_active=True).exclude(pk=service.pk).order_by("pk").first()
    )
    tickets = [ticket_issue(service=followed, customer_kind="insured") for _ in range(args.phones)]
    urls = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
    urls.write("".join(f"/queue/t/{devices.ticket_token(t)}/state/?office={phones_office.pk}\n" for t in tickets))
    urls.close()
    tokens = ", ".join(f'"{key}"' for key in setup["tokens"])
    paths = ", ".join(f'"/api/queue/counters/{pk}/call-next/"' for pk in setup["counters"])
    script = WRK_THREAD_ID + WRK_CALL % {"paths": paths, "tokens": tokens} + WRK_DONE
    from queueing.selectors import service_averages_refresh

    service_averages_refresh()

    def contribution_cleared():
        Ticket.objects.filter(office_id=office.pk, service=service, status="waiting").update(
            status="done", outcome="cancelled", finished_at=timezone.now()
        )

    def run(way, seconds):
        contribution_cleared()
        waiting_load(office, service, 600 * seconds)  # enough for the counters flat out (about 400 a second)
        load = None
        if way == "with":
            near = phone.NEAR_AHEAD + 1
            load = subprocess.Popen(
                [sys.executable, str(ROOT / "bench" / "phone_load.py"), base, urls.name, str(seconds + 4), str(near),
                 str(phone.POLL_NEAR_SECONDS), str(phone.POLL_SECONDS)],
                stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            time.sleep(3)  # every phone polling
        cpu = server_cpu_seconds(server.pid)
        result = wrk(script, base, threads=COUNTERS, connections=COUNTERS, seconds=seconds)
        cpu = server_cpu_seconds(server.pid) - cpu
        polls = json.loads(load.communicate()[0]) if load else None
        rate = result["requests"] / result["seconds"]
        figures.setdefault(way, []).append((rate, result["p50_ms"], result["p99_ms"]))
        extra = ""
        if polls:
            extra = (f"; phones: {polls['per_second']:.0f} polls/s, {polls['statuses']}, "
                     f"p50 {polls['p50_ms']:.1f} ms, p99 {polls['p99_ms']:.1f} ms")  # fmt: skip
        say(f"call-next {way:7} {args.phones if way == 'with' else 0:3} phones: {rate:6,.0f} calls/s, "
            f"p50 {result['p50_ms']:5.1f} ms, p99 {result['p99_ms']:6.1f} ms, server CPU "
            f"{1000 * cpu / max(result['requests'], 1):.2f} ms a call{extra}")  # fmt: skip

    figures = {}
    run("without", 3)  # warm: every counter's connection and code path
    run("with", 3)
    figures.clear()
    say(f"== call-next ({COUNTERS} counters flat out, {args.phones_seconds} s a run) without and with "
        f"{args.phones} phones of the office polling, A/B alternating, {args.phones_rounds} rounds")  # fmt: skip
    for _round in range(args.phones_rounds):
        for way in ("without", "with"):
            run(way, args.phones_seconds)
    say("== medians")
    medians = {way: [statistics.median(column) for column in zip(*runs, strict=True)] for way, runs in figures.items()}
    for way, (rate, p50, p99) in medians.items():
        say(f"call-next {way:7} phones: {rate:6,.0f} calls/s, p50 {p50:5.1f} ms, p99 {p99:6.1f} ms")
    slower = 100 * (1 - medians["with"][0] / medians["without"][0])
    say(f"call-next rate with {args.phones} phones: {slower:+.1f}% slower (target at most 10%)")
    contribution_cleared()
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        status="done", outcome="cancelled", finished_at=timezone.now()
    )
    os.unlink(urls.name)


def main():
    parser = argparse.ArgumentParser()
    quick = os.environ.get("QUICK") == "1"
    parser.add_argument("--calls", type=int, default=20_000 if quick else 200_000)
    parser.add_argument("--history", type=int, default=200_000 if quick else 2_000_000)
    parser.add_argument("--offices", type=int, default=50)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "8")))
    parser.add_argument("--server", choices=("uwsgi", "gunicorn"), default=os.environ.get("BENCH_SERVER", "uwsgi"))
    parser.add_argument("--paced-rate", type=int, default=500, help="calls a second in the paced run")
    parser.add_argument("--calls-only", action="store_true", help="skip the issue and bare-SQL runs")
    parser.add_argument(
        "--compare", type=int, default=0, metavar="SECONDS", help="only compare the fast path, a plain view and DRF"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --compare")
    parser.add_argument(
        "--phones", type=int, default=0, help="only compare call-next without and with this many phones polling"
    )
    parser.add_argument("--phones-rounds", type=int, default=2, help="A/B rounds of --phones")
    parser.add_argument("--phones-office", default="", help="the phones' office (default: the calling office)")
    parser.add_argument("--phones-seconds", type=int, default=20, help="seconds of each --phones run")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    say("== volumes")
    call_command("migrate", verbosity=0)
    call_command("demo_data", offices=args.offices, queue_history=args.history)
    say(
        f"offices {Office.objects.count()}, tickets {Ticket.objects.count():,} "
        f"(history {Ticket.objects.filter(service_day__lt=timezone.localdate()).count():,})"
    )
    setup = prepare(args.calls)
    say(f"busy day: {args.calls:,} waiting tickets in office {CALL_OFFICE}, {COUNTERS} counters signed in")

    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        # The counters call far above a person's rate: count the limits, refuse nothing.
        "API_THROTTLE_TOKEN": "100000/s",
        "API_THROTTLE_USER": "100000/s",
        # Behind a proxy, as in service: each phone of --phones has its own address.
        "BEHIND_PROXY": "1",
    }
    if args.compare:
        env["DJANGO_SETTINGS_MODULE"] = "bench.queue_bench_settings"
    server = subprocess.Popen(server_command(args, port), cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/api/schema/", timeout=1)
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        if args.compare:
            return compare(args, base, setup, server)
        if args.phones:
            return phones_ab(args, base, setup, server)
        board = BoardListener(base, setup["session"], setup["office"].pk)
        board.start()
        time.sleep(1)

        say(f"== call-next: {COUNTERS} counters over HTTP ({args.server} {args.workers}x{args.threads})")
        vacuum = Vacuumer()
        vacuum.start()
        started = timezone.now()
        paths = ", ".join(f'"/api/queue/counters/{pk}/call-next/"' for pk in setup["counters"])
        tokens = ", ".join(f'"{key}"' for key in setup["tokens"])
        office_id = setup["office"].pk
        today = timezone.localdate()

        def queue_empty():
            return not Ticket.objects.filter(office_id=office_id, status="waiting", service_day=today).exists()

        result = wrk(
            WRK_THREAD_ID + WRK_CALL % {"paths": paths, "tokens": tokens} + WRK_DONE,
            base,
            threads=COUNTERS,
            connections=COUNTERS,
            seconds=max(60, args.calls // 50),
            until=queue_empty,
        )
        busy_end = timezone.now()
        left = Ticket.objects.filter(office_id=office_id, status="waiting", service_day=today).count()
        # The latency a counter sees at the target load: the counters together call at a
        # steady `--paced-rate` (500 a second), each on its own schedule.
        waiting_load(setup["office"], Service.objects.get(office_id=office_id, kind="contribution"), 15_000)
        paced = wrk(
            WRK_THREAD_ID
            + WRK_CALL % {"paths": paths, "tokens": tokens}
            + WRK_PACE % {"interval_ms": 1000 * COUNTERS / args.paced_rate}
            + WRK_DONE,
            base,
            threads=COUNTERS,
            connections=COUNTERS,
            seconds=20,
            until=queue_empty,
        )
        board.stop = True
        vacuum.stop.set()
        vacuum.join()
        calls = TicketCall.objects.filter(counter__office_id=office_id, called_at__gte=started, called_at__lt=busy_end)
        called = calls.count()
        all_calls = TicketCall.objects.filter(counter__office_id=office_id, called_at__gte=started)
        doubles = all_calls.values("ticket_id").annotate(n=django.db.models.Count("id")).filter(n__gt=1).count()
        first_last = calls.aggregate(a=django.db.models.Min("called_at"), b=django.db.models.Max("called_at"))
        span = (first_last["b"] - first_last["a"]).total_seconds()
        rate = called / span if span else 0
        window = max(1000, args.calls // 10)
        rates = windows(office_id, started, busy_end, window)
        say(f"calls made        {called:,} ({left:,} left waiting), over {span:.1f} s")
        say(f"call-next rate    {rate:,.0f} calls/s (target >= 500)")
        say(
            f"queue vacuum      {len(vacuum.took)} runs, every 30 s as the beat does, max {max(vacuum.took, default=0):.2f} s"
        )
        say(f"latency           p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms (target < 50), "
            f"max {result['max_ms']:.1f} ms")  # fmt: skip
        say(
            f"double calls      {doubles} in both runs (target 0); non-2xx answers {result['errors_status']} (the final 'empty' ones)"
        )
        say(f"rate per {window:,} calls: {rates}")
        if rates:
            say(f"last window / first window: {rates[-1] / rates[0]:.2f}")
        say(
            f"paced at {args.paced_rate}/s   {paced['requests'] / paced['seconds']:,.0f} calls/s over {paced['seconds']:.0f} s: "
            f"p50 {paced['p50_ms']:.1f} ms, p99 {paced['p99_ms']:.1f} ms (target < 50), max {paced['max_ms']:.1f} ms"
        )
        delays = sorted(board.delays)
        if delays:
            say(f"board delay       {len(delays):,} calls seen: p50 {statistics.median(delays) * 1000:.0f} ms, "
                f"p99 {delays[int(len(delays) * 0.99) - 1] * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms (target < 1 s)")  # fmt: skip

        if args.calls_only:
            return
        # The beat keeps every service's average service time in the cache (each minute).
        from queueing.selectors import service_averages_refresh

        service_averages_refresh()
        issue_script = WRK_ISSUE % {
            "tokens": ", ".join(f'"{token}"' for token, _ in setup["issuers"]),
            "services": ", ".join(str(service) for _, service in setup["issuers"]),
        }
        # A server in service is warm: each thread's connection made, the code paths loaded.
        wrk(WRK_THREAD_ID + issue_script + WRK_DONE, base, threads=COUNTERS, connections=COUNTERS, seconds=3)
        say("== ticket issue: 16 kiosks in 16 offices, each a ticket every 0.25-0.75 s (32 a second), 20 s")
        paced = wrk(
            WRK_THREAD_ID + issue_script + "function delay() return math.random(250, 750) end\n" + WRK_DONE,
            base,
            threads=COUNTERS,
            connections=COUNTERS,
            seconds=20,
        )
        say(
            f"issue latency     p50 {paced['p50_ms']:.1f} ms, p99 {paced['p99_ms']:.1f} ms (target < 50), "
            f"max {paced['max_ms']:.1f} ms; {paced['requests']:,} tickets, errors {paced['errors_status']}"
        )
        say("== ticket issue: the same 16 kiosks as fast as they can, 15 s")
        issued = wrk(WRK_THREAD_ID + issue_script + WRK_DONE, base, threads=COUNTERS, connections=COUNTERS, seconds=15)
        say(
            f"issue rate        {issued['requests'] / issued['seconds']:,.0f} tickets/s, errors {issued['errors_status']}; "
            f"p50 {issued['p50_ms']:.1f} ms, p99 {issued['p99_ms']:.1f} ms with 16 waiting on each other"
        )
        for service_id in [service for _, service in setup["issuers"]]:
            queue_day_close(
                office_id=Service.objects.get(pk=service_id).office_id,
                before_day=timezone.localdate() + datetime.timedelta(days=1),
            )
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:  # a board stream still open: stop it the hard way
            server.kill()
            server.wait(5)

    say("== bare SQL call-next (pgbench, 16 clients, 10 s)")
    bare = pgbench_bare_sql()
    say(f"bare SQL          {bare:,.0f} calls/s")
    say(f"ratios            HTTP call-next / bare SQL here = {rate / bare:.2f}; "
        f"/ quoted bare SQL 9,700 = {rate / 9700:.2f}; / quoted bare Django view 2,300 = {rate / 2300:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
