"""The ticket on the customer's phone: what an office's phones cost. Prints its figures.

    python bench/phone_bench.py [--phones 300] [--polls 3000]

It uses its own database, `sso_bench_phone` on the local server (created and migrated when
missing; `DATABASE_URL` names another), with a bench office added (code 9P01): one office,
`--phones` waiting tickets of one service. Then, in this process, through Django's whole
middleware stack (the test client, no network):
1. the office's state built (`queueing.phone._state_build`: the one statement and the waits):
   median and p99 of 50 builds;
2. a phone's poll answered from the cached state: median and p99 of `--polls` polls, and the
   queries they made;
3. the same polls with the state dropped before each (every poll rebuilds: the worst case);
4. the load of `--phones` phones polling as the page does (every 3 s; twice a second for the
   three at the head): polls a second, server time a second.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "sso_bench_phone"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sso.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")


def _ms(values):
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--polls", type=int, default=3000)
    args = parser.parse_args()

    from common import database_create  # bench/common.py (the script's own folder)
    from django.conf import settings

    database_create(settings.DATABASES["default"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from queueing import devices, phone, services
    from queueing.events import phone_state_bust
    from queueing.models import Service, Ticket
    from sso.core.models import Office, Province

    call_command("migrate", verbosity=0)
    province = Province.objects.order_by("pk").first() or Province.objects.create(
        code="10", name_th="กรุงเทพมหานคร", name_en="Bangkok"
    )
    office, _ = Office.objects.get_or_create(
        code="9P01", defaults={"name_th": "สำนักงานทดสอบ", "name_en": "Bench office", "province": province}
    )
    if not Service.objects.filter(office=office).exists():
        services.office_queue_setup(office=office, counters=4)
    service = Service.objects.get(office=office, kind="contribution")
    Ticket.objects.filter(office=office, status="waiting").update(status="done", outcome="cancelled")
    tickets = [services.ticket_issue(service=service, customer_kind="employer") for _ in range(args.phones)]
    client = Client(REMOTE_ADDR="192.0.2.1")
    urls = [
        (reverse("queueing:ticket_public_state", args=[devices.ticket_token(t)]), {"office": office.pk})
        for t in tickets
    ]
    phone.POLLS_PER_MINUTE = 10**9  # the bench is one address

    builds = []
    for _ in range(50):
        start = time.perf_counter()
        phone._state_build(office.pk)
        builds.append(time.perf_counter() - start)
    print(f"state build ({args.phones} waiting): median {_ms(builds)[0]:.2f} ms, p99 {_ms(builds)[1]:.2f} ms")

    phone.STATE_SECONDS = 3600  # cached for the whole run: the polls alone
    phone_state_bust(office.pk)
    client.get(*urls[0], secure=True)
    polls = []
    with CaptureQueriesContext(connection) as queries:
        for i in range(args.polls):
            url, data = urls[i % len(urls)]
            start = time.perf_counter()
            response = client.get(url, data, secure=True)
            polls.append(time.perf_counter() - start)
            assert response.status_code == 200, response.content
    median, p99 = _ms(polls)
    print(f"poll, cached state: median {median:.2f} ms, p99 {p99:.2f} ms, {len(queries)} queries in {args.polls} polls")

    rebuilt = []
    phone.REBUILD_EVERY_MS = 0  # every poll rebuilds (in service, at most every 250 ms)
    for i in range(min(args.polls, 500)):
        phone_state_bust(office.pk)
        url, data = urls[i % len(urls)]
        start = time.perf_counter()
        client.get(url, data, secure=True)
        rebuilt.append(time.perf_counter() - start)
    print(f"poll, state rebuilt each time: median {_ms(rebuilt)[0]:.2f} ms, p99 {_ms(rebuilt)[1]:.2f} ms")

    near = min(phone.NEAR_AHEAD + 1, args.phones)
    per_second = near / phone.POLL_NEAR_SECONDS + (args.phones - near) / phone.POLL_SECONDS
    print(
        f"{args.phones} phones: {per_second:.0f} polls a second, "
        f"{per_second * median:.0f} ms of server time a second (median poll), "
        "at most 4 state statements a second (a state kept 1 s, rebuilt after a change at most every 250 ms)"
    )
    Ticket.objects.filter(office=office, status="waiting").update(status="done", outcome="cancelled")


if __name__ == "__main__":
    main()
