"""Benefit payments benchmark: the monthly recurring run over 500,000 child-allowance claims,
then the same month again (must make nothing); prints its figures.

    .venv/bin/python bench/benefits_payments_bench.py [--claims 500000]

It uses its own database, `sso_bench_pay` on the local server (`DATABASE_URL` names
another), migrated and filled set-based with SQL (a second run reuses it): N minimal insured
persons, an open bank account for 9 in 10 of them (the rest are paid in cash), and one
approved child-allowance claim each (800 a month, event months spread over the last six
years, `months` reaching past the current month, as the rules count them to the child's 6th
birthday; 1 in 100 with
findings, so held). Then `benefits.payments.monthly_run` for the current month, timed, with
its audit rows, and a second run of the same month (must make 0).
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "sso_bench_pay"
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


def fill(cursor, claims, office_id, user_id, bank_ids):
    """N persons, their bank accounts and approved child-allowance claims, set-based."""
    cursor.execute(
        "INSERT INTO registry_insuredperson (id_type, national_id, title, first_name_th, last_name_th,"
        " first_name_en, last_name_en, birth_date, sex, nationality, address, phone, status, registered_on,"
        " office_id)"
        " SELECT 'thai', '9' || lpad(i::text, 12, '0'), '', 'ผู้ประกันตน' || i, 'ทดสอบ', '', '',"
        " date '1990-01-01' + (i %% 7000), 'F', 'TH', '', '', 'active', date '2020-01-01', %s"
        " FROM generate_series(1, %s) AS i",
        [office_id, claims],
    )
    cursor.execute(
        "INSERT INTO registry_bankaccount (person_id, bank_id, account_number, account_name, valid_from)"
        " SELECT p.id, (%s::bigint[])[1 + p.id %% %s], lpad(p.id::text, 10, '0'), p.first_name_th,"
        " date '2020-01-01' FROM registry_insuredperson p WHERE p.id %% 10 <> 0",
        [bank_ids, len(bank_ids)],
    )
    cursor.execute(
        "INSERT INTO benefits_claim (office_id, person_id, benefit, event_date, event_key, details, status,"
        " eligible, amount, monthly, months, working, refusal_code, decision_note, override_reason,"
        " verification, recorded_at, recorded_by_id, adjudicated_at, adjudicated_by_id)"
        " SELECT %s, p.id, 'child_allowance', (current_date - (p.id %% 2190)::int), 'child:' || p.id, '{}',"
        " 'approved', true, 800, true, 1 + p.id %% 72, '[]', '', '', '',"
        " CASE WHEN p.id %% 100 = 0 THEN 'findings' ELSE 'clear' END, now(), %s, now(), %s"
        " FROM registry_insuredperson p",
        [office_id, user_id, user_id],
    )
    cursor.execute(SCHEDULE_SQL, [])  # with parameters, so the %% is the driver's escape


# Every claim due this month: `months` reaches from the event month past the current one.
SCHEDULE_SQL = (
    "UPDATE benefits_claim SET months = 1 + id %% 6 + ((extract(year FROM current_date) * 12"
    " + extract(month FROM current_date)) - (extract(year FROM event_date) * 12 + extract(month FROM event_date)))::int"
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=500_000)
    args = parser.parse_args()
    from django.conf import settings

    database_create(settings.DATABASES["default"]["NAME"])
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    from benefits import payments
    from benefits.models import Claim, PaymentOrder
    from registry.models import Bank
    from sso.core.models import Office, Province

    call_command("migrate", verbosity=0)
    office = Office.objects.filter(code="1001").first() or Office.objects.create(
        code="1001", name_th="สปส. กรุงเทพฯ พื้นที่ 1", name_en="Bangkok Area Office 1", province=Province.objects.first()
    )
    officer, _ = get_user_model().objects.get_or_create(username="bench-pay", defaults={"office": office})
    have = Claim.objects.count()
    if have < args.claims:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE benefits_paymentorder, benefits_claim, registry_bankaccount CASCADE")
            cursor.execute("DELETE FROM registry_insuredperson")
            fill(cursor, args.claims, office.pk, officer.pk, list(Bank.objects.values_list("pk", flat=True)))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"filled {args.claims:,} claims: {time.perf_counter() - started:.0f} s", flush=True)
    month = timezone.localdate().replace(day=1)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM benefits_historicalpaymentorder")
        cursor.execute("DELETE FROM benefits_paymentorder WHERE period = %s", [month])
        cursor.execute("VACUUM ANALYZE benefits_paymentorder")
        cursor.execute(
            "SELECT count(*) FROM benefits_claim WHERE status = 'approved' AND monthly"
            " AND date_trunc('month', event_date)::date <= %(m)s"
            " AND %(m)s < (date_trunc('month', event_date) + months * interval '1 month')::date",
            {"m": month},
        )
        (covered,) = cursor.fetchone()
    print(
        f"database {connection.settings_dict['NAME']}: {Claim.objects.count():,} approved child-allowance claims,"
        f" {covered:,} due for {month:%m/%Y}; {os.cpu_count()} CPUs",
        flush=True,
    )
    started = time.perf_counter()
    made = payments.monthly_run(month=month, officer=officer)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = payments.monthly_run(month=month, officer=officer)
    second = time.perf_counter() - started
    orders = PaymentOrder.objects.filter(period=month)
    audit = PaymentOrder.history.model.objects.filter(period=month).count()
    by = dict(orders.values_list("status").annotate(n=Count("id")))
    methods = dict(orders.values_list("method").annotate(n=Count("id")))
    print(f"monthly run {month:%m/%Y}: {made:,} orders made in {first:.1f} s (target < 300 s), {audit:,} audit rows")
    print(f"  by status {by}; by method {methods}")
    print(f"second run of the same month: {again:,} made in {second:.1f} s (must be 0)")
    assert made == covered and again == 0


if __name__ == "__main__":
    main()
