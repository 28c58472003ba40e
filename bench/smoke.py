"""Every benchmark at a smoke size: each must run to the end and print every figure it prints
at full size. CI runs this after the suite (`make bench-smoke`); no timing is asserted.

    python bench/smoke.py [--only queue,registry] [--keep]

Each bench runs as its own command, as `make bench-*` runs it, on a database of its own
(`sso_smoke_<name>` on the server of DATABASE_URL, default the local one), which is dropped
afterwards (`--keep` keeps them), so no large database is left on the machine. A bench fails
the run when it exits non-zero or when a line it prints at full size is missing from its
output; its output is kept in `var/bench-smoke/<name>.log` and its end is printed on failure.
"""

import argparse
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

# name: (arguments ("{database}": the smoke database), environment, lines every run prints)
BENCHES = {
    "benefits": (
        ["bench/benefits_bench.py", "--persons", "2000", "--calls", "50"],
        {},
        ["examine sickness", "examine child_allowance", "examine old_age", "== examine, all benefits: p99"],
    ),
    "benefit-payments": (
        ["bench/benefits_payments_bench.py", "--claims", "500"],
        {},
        ["filled 500 claims", "monthly run", "by status", "second run of the same month: 0 made"],
    ),
    "contributions": (
        ["bench/contributions_bench.py", "--lines", "200", "--runs", "2", "--calls", "50", "--history", "50"],
        {},
        [
            "upload 200-line file, web request",
            "of which: reading the file",
            "of which: statement_check",
            "back-office cross-check",
            "COPY 200 indexed rows",
            "ratio upload / COPY",
            "contribution_months_count, 15-month window",
            "contribution_months_count, 360-month window",
        ],
    ),
    "contributions-load": (
        ["bench/contributions_load_bench.py", "--employers", "100", "--employees", "5", "--clients", "4"]
        + ["--seconds", "5", "--workers", "1", "--threads", "2", "--database", "{database}"],
        {},
        ["postings stored (201)", "latency (2xx)", "receipt series with a gap", "nothing lost or posted twice"],
    ),
    "phone": (
        ["bench/phone_bench.py", "--phones", "30", "--polls", "200"],
        {},
        ["state build", "poll, cached state", "poll, state rebuilt each time", "30 phones:"],
    ),
    "planner": (
        ["bench/planner_bench.py", "--days", "2", "--replications", "10"],
        {},
        ["1. Forecast back-test", "MAPE per day", "2. Validation", "pooled", "3. A day's simulation"],
    ),
    "reports": (
        ["bench/reports_bench.py", "--offices", "3", "--tickets", "20000", "--days", "30"]
        + ["--repeat", "3", "--pdf-repeat", "1"],
        {},
        [
            "(a) office dashboard",
            "back-office page",
            "(b) national dashboard",
            "(c) evidence PDF, office month",
            "evidence PDF, national month",
            "(d) a day's roll-up",
            "(e) queue measure, office month",
            "(e) queue measure, national month",
        ],
    ),
    "queue": (
        ["bench/queue_bench.py", "--calls", "1000", "--history", "5000", "--offices", "3"],
        {"QUICK": "1"},
        [
            "call-next rate",
            "latency           p50",
            "double calls      0",
            "paced at 500/s",
            "board delay",
            "issue latency",
            "issue rate",
            "bare SQL ",
        ],
    ),
    "registry": (
        ["bench/registry_bench.py", "--persons", "3000", "--employers", "300", "--seconds", "2"]
        + ["--requests", "50", "--queries", "50", "--upload", "200"],
        {"QUICK": "1"},
        [
            "name search, person_search()[:20] in-process",
            "lookup by national ID, API, 50 sequential",
            "lookup by national ID, bare view",
            "wrk: lookup by national ID, API",
            "ratio API / bare view",
            "name search, page",
            "bulk upload rate",
        ],
    ),
}


def server_url(name: str) -> str:
    """DATABASE_URL with its database replaced by `name` (the local server without one)."""
    url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    return urllib.parse.urlunsplit(url._replace(path=f"/{name}"))


def psql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="benches to run, comma-separated (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the smoke databases")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or list(BENCHES)
    unknown = set(names) - set(BENCHES)
    if unknown:
        sys.exit(f"unknown bench: {', '.join(sorted(unknown))} (known: {', '.join(BENCHES)})")

    logs = ROOT / "var" / "bench-smoke"
    logs.mkdir(parents=True, exist_ok=True)
    admin = server_url("postgres")
    failed = []
    started = time.monotonic()
    for name in names:
        argv, extra, expected = BENCHES[name]
        database = "sso_smoke_" + name.replace("-", "_")
        url = server_url(database)
        psql(admin, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        psql(admin, f'CREATE DATABASE "{database}"')
        argv = [arg.format(database=database) for arg in argv]
        env = {**os.environ, **extra, "DATABASE_URL": url}
        log = logs / f"{name}.log"
        began = time.monotonic()
        with log.open("w") as out:
            code = subprocess.run([PY, *argv], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
        text = log.read_text(errors="replace")
        missing = [line for line in expected if line not in text]
        took = time.monotonic() - began
        if code or missing:
            failed.append(name)
            print(f"FAIL {name:20} {took:5.0f} s  exit {code}; missing: {missing or 'none'}", flush=True)
            print("\n".join("    " + line for line in text.splitlines()[-40:]), flush=True)
        else:
            figures = sum(1 for line in text.splitlines() if any(e in line for e in expected))
            print(f"ok   {name:20} {took:5.0f} s  {figures} figure lines", flush=True)
        if not args.keep:
            psql(admin, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print(
        f"bench smoke: {len(names) - len(failed)} of {len(names)} ran in {time.monotonic() - started:.0f} s", flush=True
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
